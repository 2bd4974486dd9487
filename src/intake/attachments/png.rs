//! PNG: images re-encoded from pixels, which leaves every text, EXIF and other ancillary chunk
//! behind.

use super::{AttachmentError, unreadable};
use image::DynamicImage;
use image::codecs::png::PngEncoder;

pub(super) fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, AttachmentError> {
    let mut out = Vec::new();
    image
        .write_with_encoder(PngEncoder::new(&mut out))
        .map_err(unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::samples::*;
    use super::*;
    use crate::intake::attachments::{AttachmentKind, sanitize};
    use image::{GenericImageView, ImageFormat};

    #[test]
    fn png_loses_text_itxt_and_exif_chunks() {
        let plain = encoded(&sample_image(40, 30), ImageFormat::Png);
        let mut dirty = plain[..PNG_HEADER_LEN].to_vec();
        dirty.extend(png_chunk(b"eXIf", &exif_tiff(6, "MARKER-PNG-EXIF")));
        dirty.extend(png_chunk(b"tEXt", b"Author\0MARKER-PNG-TEXT"));
        dirty.extend(png_chunk(
            b"iTXt",
            b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>MARKER-PNG-ITXT</x:xmpmeta>",
        ));
        dirty.extend(&plain[PNG_HEADER_LEN..]);
        assert!(contains(&dirty, b"MARKER-PNG-TEXT"));

        let clean = sanitize(&dirty).unwrap();
        assert_eq!(clean.kind, AttachmentKind::Png);
        for needle in [&b"MARKER-PNG"[..], b"eXIf", b"tEXt", b"iTXt"] {
            assert!(!contains(&clean.bytes, needle));
        }
        let decoded = image::load_from_memory_with_format(&clean.bytes, ImageFormat::Png).unwrap();
        assert_eq!(decoded.dimensions(), (30, 40), "eXIf orientation 6 applied");
        assert!(is_reddish(&decoded, 26, 2));
    }

    #[test]
    fn png_decompression_bombs_are_unreadable() {
        // 100000 x 100000 exceeds the side limit; 11000 x 11000 RGBA (484 MB)
        // passes it but exceeds the memory budget.
        for (side, color_type) in [(100_000, 2), (11_000, 6)] {
            let mut bomb = png_header(side, side, color_type);
            let empty_zlib = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
            bomb.extend(png_chunk(b"IDAT", &empty_zlib));
            bomb.extend(png_chunk(b"IEND", &[]));
            assert!(bomb.len() < 100);
            let result = sanitize(&bomb).err();
            assert_eq!(result, Some(AttachmentError::Unreadable), "{side}");
        }
    }
}
