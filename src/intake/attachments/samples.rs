//! Test fixtures shared by the attachment tests: sample images and files carrying metadata.

use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

pub(super) const GPS_MARKER: &str = "MARKER-GPS-4711";

pub(super) const XMP_MARKER: &str = "MARKER-XMP-4712";

pub(super) const COMMENT_MARKER: &str = "MARKER-COM-4713";

pub(super) const TRAILER_MARKER: &str = "MARKER-TRAIL-4714";

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Red top-left quadrant on blue, so rotations are visible.
pub(super) fn sample_image(width: u32, height: u32) -> DynamicImage {
    let image = RgbImage::from_fn(width, height, |x, y| {
        if x < width / 2 && y < height / 2 {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    });
    DynamicImage::ImageRgb8(image)
}

pub(super) fn is_reddish(image: &DynamicImage, x: u32, y: u32) -> bool {
    let [r, _, b, _] = image.get_pixel(x, y).0;
    r > 200 && b < 60
}

pub(super) fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Little-endian TIFF block: IFD0 with Orientation and a GPS IFD pointer,
/// GPS IFD with a latitude reference and a map datum holding `marker`.
pub(super) fn exif_tiff(orientation: u16, marker: &str) -> Vec<u8> {
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = Vec::new();
        e.extend(tag.to_le_bytes());
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value);
        e
    };
    let (ifd0, gps_ifd, text) = (8u32, 38u32, 68u32);
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(ifd0.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    let [o0, o1] = orientation.to_le_bytes();
    tiff.extend(entry(0x0112, 3, 1, [o0, o1, 0, 0]));
    tiff.extend(entry(0x8825, 4, 1, gps_ifd.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
    let text_len = u32::try_from(marker.len() + 1).unwrap();
    tiff.extend(entry(0x0012, 2, text_len, text.to_le_bytes()));
    tiff.extend(0u32.to_le_bytes());
    assert_eq!(tiff.len(), usize::try_from(text).unwrap());
    tiff.extend(marker.as_bytes());
    tiff.push(0);
    tiff
}

pub(super) fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let length = u16::try_from(payload.len() + 2).unwrap();
    let mut segment = vec![0xFF, marker];
    segment.extend(length.to_be_bytes());
    segment.extend(payload);
    segment
}

/// A JPEG with EXIF (orientation + GPS), XMP, a comment and trailing data.
pub(super) fn jpeg_with_metadata(image: &DynamicImage, orientation: u16) -> Vec<u8> {
    let plain = encoded(image, ImageFormat::Jpeg);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_tiff(orientation, GPS_MARKER));
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">{XMP_MARKER}</x:xmpmeta>"
    );
    let mut jpeg = plain[..2].to_vec();
    jpeg.extend(jpeg_segment(0xE1, &exif));
    jpeg.extend(jpeg_segment(0xE1, xmp.as_bytes()));
    jpeg.extend(jpeg_segment(0xFE, COMMENT_MARKER.as_bytes()));
    jpeg.extend(&plain[2..]);
    jpeg.extend(TRAILER_MARKER.as_bytes());
    jpeg
}

pub(super) fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub(super) fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    chunk.extend(kind);
    chunk.extend(data);
    chunk.extend(crc32(&chunk[4..]).to_be_bytes());
    chunk
}

pub(super) const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Signature (8) + IHDR chunk (4 + 4 + 13 + 4).
pub(super) const PNG_HEADER_LEN: usize = 33;

pub(super) fn png_header(width: u32, height: u32, color_type: u8) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, color_type, 0, 0, 0]);
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png
}

pub(super) fn assert_jpeg_metadata_gone(clean: &[u8]) {
    for needle in [
        GPS_MARKER.as_bytes(),
        XMP_MARKER.as_bytes(),
        COMMENT_MARKER.as_bytes(),
        TRAILER_MARKER.as_bytes(),
        b"Exif",
        b"ns.adobe.com",
    ] {
        assert!(
            !contains(clean, needle),
            "{}",
            String::from_utf8_lossy(needle)
        );
    }
}
