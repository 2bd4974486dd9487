//! JPEG: photos re-encoded from pixels; marker segments read to refuse truncated files and to
//! strip metadata losslessly from JPEG images inside PDFs.

use super::{AttachmentError, unreadable};
use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;

/// Quality of re-encoded JPEGs (1–100).
const JPEG_QUALITY: u8 = 90;

pub(super) fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, AttachmentError> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => {
            image.write_with_encoder(encoder)
        }
        _ => DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder),
    }
    .map_err(unreadable)?;
    Ok(out)
}

const JPEG_SOI: u8 = 0xD8;
const JPEG_EOI: u8 = 0xD9;
const JPEG_SOS: u8 = 0xDA;

/// Rebuilds a JPEG bit stream losslessly without metadata segments. Keeps
/// everything needed to decode it; drops APPn (except a thumbnail-free JFIF
/// header and the Adobe header, which only hold decoding parameters),
/// comments and anything after the end-of-image marker. `None` if the marker structure is broken
/// or the data ends before the end-of-image marker.
pub(super) fn strip_jpeg_segments(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    if data.get(..2)? != [0xFF, JPEG_SOI] {
        return None;
    }
    out.extend_from_slice(&[0xFF, JPEG_SOI]);
    let mut pos = 2;
    while pos < data.len() {
        if data[pos] != 0xFF {
            return None;
        }
        pos += 1;
        while *data.get(pos)? == 0xFF {
            pos += 1; // fill bytes
        }
        let marker = data[pos];
        pos += 1;
        if marker == JPEG_EOI {
            out.extend_from_slice(&[0xFF, JPEG_EOI]);
            return Some(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&[0xFF, marker]); // stand-alone markers
            continue;
        }
        let length = usize::from(u16::from_be_bytes([*data.get(pos)?, *data.get(pos + 1)?]));
        if length < 2 {
            return None;
        }
        let segment = data.get(pos..pos + length)?;
        if keeps_jpeg_segment(marker, &segment[2..]) {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
        pos += length;
        if marker == JPEG_SOS {
            let scan_end = entropy_coded_end(data, pos);
            out.extend_from_slice(&data[pos..scan_end]);
            pos = scan_end;
        }
    }
    None // truncated: no end-of-image marker
}

fn keeps_jpeg_segment(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE0 => payload.starts_with(b"JFIF\0") && payload.len() == 14, // no thumbnail
        0xEE => payload.starts_with(b"Adobe"),
        0xE1..=0xEF | 0xFE => false,
        _ => true,
    }
}

/// Index of the first marker after entropy-coded data starting at `start`
/// (byte stuffing `FF 00` and restart markers belong to the data).
fn entropy_coded_end(data: &[u8], start: usize) -> usize {
    let mut pos = start;
    while pos + 1 < data.len() {
        if data[pos] == 0xFF && !matches!(data[pos + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            return pos;
        }
        pos += 1;
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::super::samples::*;
    use super::*;
    use crate::intake::attachments::{AttachmentKind, sanitize};
    use image::{GenericImageView, ImageFormat};

    #[test]
    fn jpeg_loses_exif_gps_xmp_comment_and_trailing_data() {
        let source = sample_image(64, 48);
        let dirty = jpeg_with_metadata(&source, 1);
        assert!(contains(&dirty, GPS_MARKER.as_bytes()) && contains(&dirty, b"Exif"));
        // The dirty file itself must be a readable JPEG for the test to mean anything.
        assert_eq!(
            image::load_from_memory(&dirty).unwrap().dimensions(),
            (64, 48)
        );

        let clean = sanitize(&dirty).unwrap();
        assert_eq!(clean.kind, AttachmentKind::Jpeg);
        assert_jpeg_metadata_gone(&clean.bytes);
        let decoded = image::load_from_memory_with_format(&clean.bytes, ImageFormat::Jpeg).unwrap();
        assert_eq!(decoded.dimensions(), (64, 48));
        assert!(is_reddish(&decoded, 4, 4));
        assert!(!is_reddish(&decoded, 60, 4));
    }

    #[test]
    fn jpeg_orientation_is_applied_before_reencoding() {
        // EXIF orientation 6: rotate 90° clockwise for display.
        let dirty = jpeg_with_metadata(&sample_image(64, 48), 6);
        let clean = sanitize(&dirty).unwrap();
        assert_jpeg_metadata_gone(&clean.bytes);
        let decoded = image::load_from_memory(&clean.bytes).unwrap();
        assert_eq!(decoded.dimensions(), (48, 64));
        // The red top-left quadrant is now top-right.
        assert!(is_reddish(&decoded, 44, 4));
        assert!(!is_reddish(&decoded, 4, 4));
    }

    #[test]
    fn truncated_jpeg_is_unreadable() {
        let jpeg = encoded(&sample_image(64, 48), ImageFormat::Jpeg);
        for cut in [3, 20, jpeg.len() / 4, jpeg.len() / 2, jpeg.len() - 2] {
            assert_eq!(
                sanitize(&jpeg[..cut]).err(),
                Some(AttachmentError::Unreadable),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn jpeg_decompression_bomb_is_unreadable() {
        // A complete small JPEG whose frame header claims 11000 x 11000 RGB
        // (363 MB): within the side limit, over the memory budget.
        let mut bomb = encoded(&sample_image(16, 16), ImageFormat::Jpeg);
        let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        let side = 11_000u16.to_be_bytes();
        bomb[sof + 5..sof + 9].copy_from_slice(&[side[0], side[1], side[0], side[1]]);
        assert_eq!(sanitize(&bomb).err(), Some(AttachmentError::Unreadable));
    }

    #[test]
    fn pdf_jpeg_streams_are_stripped_losslessly() {
        let plain = encoded(&sample_image(64, 48), ImageFormat::Jpeg);
        let dirty = jpeg_with_metadata(&sample_image(64, 48), 1);
        assert_eq!(
            strip_jpeg_segments(&dirty).as_deref(),
            Some(plain.as_slice())
        );
        assert_eq!(strip_jpeg_segments(&plain[..40]), None);
        assert_eq!(strip_jpeg_segments(&plain[..plain.len() - 2]), None);
        assert_eq!(strip_jpeg_segments(b"not a jpeg"), None);
    }
}
