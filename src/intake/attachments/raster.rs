//! Decoding JPEG and PNG images under strict size and memory limits, turned upright according
//! to their EXIF orientation, so that they can be re-encoded from pixels.

use super::{AttachmentError, unreadable};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Widest or tallest image accepted, in pixels.
const MAX_IMAGE_SIDE: u32 = 12_000;
/// Memory budget for decoded pixel buffers, in bytes.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

pub(super) fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Decodes an image within [`decode_limits`] and applies its EXIF orientation.
pub(super) fn decode_upright(
    bytes: &[u8],
    format: ImageFormat,
) -> Result<DynamicImage, AttachmentError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;

    // `into_decoder` checks the dimensions only; the pixel buffers (one for
    // decoding, one more if rotating) must fit the memory budget as well.
    let mut budget = decode_limits();
    budget.reserve(decoder.total_bytes()).map_err(unreadable)?;
    if orientation != Orientation::NoTransforms {
        budget.reserve(decoder.total_bytes()).map_err(unreadable)?;
    }

    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}
