//! Attachment sanitising for anonymous reports.
//!
//! This module owns the rule that no file uploaded by a reporter is stored as
//! received. [`sanitize`] sniffs the type from the content (never from a file
//! name or a claimed content type), refuses everything except JPEG, PNG and
//! PDF, and returns a rebuilt file without metadata:
//!
//! * Images are decoded under strict size limits, turned upright according to
//!   their EXIF orientation and re-encoded from pixels. The new file carries no
//!   EXIF/GPS, XMP, IPTC, ICC profile, comment or trailing (polyglot) data.
//! * PDFs are parsed and re-serialised without the document information
//!   dictionary, document ID, XMP streams, scripts and dangerous actions,
//!   embedded files, signatures, private application data, annotation authors
//!   and dates, and metadata segments of embedded JPEG images.
//!
//! The module is pure: no IO and no logging. [`estimated_memory`] tells, from
//! the headers alone, what cleaning a file may take, so that a bomb is refused
//! before anything is decoded. Callers run it through
//! [`super::cleaning::Cleaner`], which bounds time, memory and parallelism.

mod jpeg;
mod pdf;
mod png;
mod raster;
#[cfg(test)]
mod samples;

pub use pdf::MAX_PDF_INFLATED;

use image::{ImageDecoder, ImageFormat, ImageReader};
use jpeg::{encode_jpeg, strip_jpeg_segments};
use pdf::sanitize_pdf;
use png::encode_png;
use raster::{decode_limits, decode_upright};
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

/// Largest attachment accepted, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// A supported attachment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    /// JPEG photo, re-encoded from pixels.
    Jpeg,
    /// PNG image, re-encoded from pixels.
    Png,
    /// PDF document, rebuilt without metadata and active content.
    Pdf,
}

impl AttachmentKind {
    /// MIME type to serve the clean file with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    /// File name extension (without dot) for downloads.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    /// Stable identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    /// Inverse of [`AttachmentKind::as_str`].
    pub fn from_str_id(s: &str) -> Option<Self> {
        match s {
            "jpeg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// A sanitised attachment, safe to store and to hand to case workers.
#[derive(Clone)]
pub struct CleanAttachment {
    /// Type sniffed from the content.
    pub kind: AttachmentKind,
    /// The rebuilt file.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for CleanAttachment {
    /// Shows only the kind and size so reporter content never ends up in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CleanAttachment")
            .field("kind", &self.kind)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Why an attachment was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AttachmentError {
    /// More than [`MAX_ATTACHMENT_BYTES`].
    #[error("attachment too large")]
    TooLarge,
    /// Not a JPEG, PNG or PDF according to its content.
    #[error("unsupported attachment type")]
    Unsupported,
    /// Damaged, encrypted, over the decoding limits, or otherwise impossible
    /// to rebuild with certainty.
    #[error("attachment could not be read")]
    Unreadable,
}

impl AttachmentError {
    /// Short stable code, used as translation key suffix.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::Unsupported => "unsupported",
            Self::Unreadable => "unreadable",
        }
    }
}

/// Sniffs the type from the content (never from the file name), strips every
/// piece of metadata, returns the clean bytes.
pub fn sanitize(bytes: &[u8]) -> Result<CleanAttachment, AttachmentError> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let kind = sniff(bytes)?;
    let clean = without_panics(|| match kind {
        AttachmentKind::Jpeg => {
            // The decoder pads truncated scans with grey; refuse them instead.
            strip_jpeg_segments(bytes).ok_or(AttachmentError::Unreadable)?;
            encode_jpeg(&decode_upright(bytes, ImageFormat::Jpeg)?)
        }
        AttachmentKind::Png => encode_png(&decode_upright(bytes, ImageFormat::Png)?),
        AttachmentKind::Pdf => sanitize_pdf(bytes),
    })?;
    Ok(CleanAttachment { kind, bytes: clean })
}

/// What a cleaned attachment still holds that cleaning promises to remove, if anything: for a
/// JPEG a segment cleaning would strip (EXIF, XMP, ICC, comments, trailing data); for a PNG an
/// ancillary chunk other than those that only say how to show the pixels; for a PDF anything
/// that scrubbing it again would change. The fuzz targets check cleaning with it.
#[cfg(feature = "fuzz-targets")]
pub fn left_behind(clean: &CleanAttachment) -> Option<&'static str> {
    let bytes = clean.bytes.as_slice();
    match clean.kind {
        AttachmentKind::Jpeg => match strip_jpeg_segments(bytes) {
            Some(stripped) if stripped == bytes => None,
            Some(_) => Some("a JPEG metadata segment or trailing data"),
            None => Some("a JPEG that is not whole"),
        },
        AttachmentKind::Png => png_left_behind(bytes),
        AttachmentKind::Pdf => pdf::pdf_left_behind(bytes),
    }
}

/// PNG chunks a re-encoded image may carry: the critical ones and those that only say how to
/// show the pixels.
#[cfg(feature = "fuzz-targets")]
const PNG_DISPLAY_CHUNKS: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs", b"sBIT",
    b"bKGD",
];

#[cfg(feature = "fuzz-targets")]
fn png_left_behind(bytes: &[u8]) -> Option<&'static str> {
    const NOT_WHOLE: Option<&str> = Some("a PNG that is not whole");
    let Some(mut rest) = bytes.strip_prefix(b"\x89PNG\r\n\x1a\n".as_slice()) else {
        return NOT_WHOLE;
    };
    while rest.len() >= 12 {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..8];
        if !PNG_DISPLAY_CHUNKS.iter().any(|k| k.as_slice() == kind) {
            return Some("a PNG chunk that is not part of the image");
        }
        let Some(next) = rest.get(12usize.saturating_add(length)..) else {
            return NOT_WHOLE;
        };
        rest = next;
    }
    (!rest.is_empty()).then_some("bytes after the PNG's last chunk")
}

/// A cautious bound, in bytes, on the memory that cleaning `bytes` takes, read from the headers
/// only (nothing is decoded): pixel buffers (twice: decoding, then turning or converting), the
/// input and the re-encoded output; for a PDF, its parsed objects and what its object streams
/// may inflate to. A file that cannot fit the per-image budget is refused here, undecoded.
pub fn estimated_memory(bytes: &[u8]) -> Result<u64, AttachmentError> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let len = bytes.len() as u64;
    let format = match sniff(bytes)? {
        AttachmentKind::Jpeg => ImageFormat::Jpeg,
        AttachmentKind::Png => ImageFormat::Png,
        AttachmentKind::Pdf => return Ok(8 * len + 2 * MAX_PDF_INFLATED as u64),
    };
    let pixels = without_panics(|| {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(decode_limits());
        let decoder = reader.into_decoder().map_err(unreadable)?;
        let mut budget = decode_limits();
        budget.reserve(decoder.total_bytes()).map_err(unreadable)?;
        Ok(decoder.total_bytes())
    })?;
    Ok(2 * pixels + 4 * len)
}

/// Determines the type from magic bytes alone.
fn sniff(bytes: &[u8]) -> Result<AttachmentKind, AttachmentError> {
    if infer::image::is_jpeg(bytes) {
        Ok(AttachmentKind::Jpeg)
    } else if infer::image::is_png(bytes) {
        Ok(AttachmentKind::Png)
    } else if infer::archive::is_pdf(bytes) {
        Ok(AttachmentKind::Pdf)
    } else {
        Err(AttachmentError::Unsupported)
    }
}

/// Runs a third-party parser on hostile input; a panic inside it becomes
/// [`AttachmentError::Unreadable`] instead of unwinding into the caller.
fn without_panics<T>(
    work: impl FnOnce() -> Result<T, AttachmentError>,
) -> Result<T, AttachmentError> {
    panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or(Err(AttachmentError::Unreadable))
}

fn unreadable<E>(_: E) -> AttachmentError {
    AttachmentError::Unreadable
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    #[test]
    fn kind_ids_round_trip() {
        for kind in [
            AttachmentKind::Jpeg,
            AttachmentKind::Png,
            AttachmentKind::Pdf,
        ] {
            assert_eq!(AttachmentKind::from_str_id(kind.as_str()), Some(kind));
            assert!(!kind.content_type().is_empty() && !kind.extension().is_empty());
        }
        assert_eq!(AttachmentKind::from_str_id("gif"), None);
        assert_eq!(AttachmentKind::from_str_id("JPEG"), None);
        assert_eq!(AttachmentError::TooLarge.code(), "too_large");
        assert_eq!(AttachmentError::Unsupported.code(), "unsupported");
        assert_eq!(AttachmentError::Unreadable.code(), "unreadable");
    }

    #[test]
    fn content_decides_the_type_not_the_name() {
        let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00photo.jpg".to_vec();
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        let text = b"not really a jpeg, just a renamed text file".to_vec();
        let html = b"<html><script>alert(1)</script></html>".to_vec();
        for bytes in [zip, elf, gif, text, html, Vec::new()] {
            assert_eq!(sanitize(&bytes).err(), Some(AttachmentError::Unsupported));
        }
    }

    #[test]
    fn oversized_input_is_refused_before_sniffing() {
        let mut big = vec![0u8; MAX_ATTACHMENT_BYTES + 1];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        assert_eq!(sanitize(&big).err(), Some(AttachmentError::TooLarge));
        // Exactly at the limit it is judged on content instead.
        big.truncate(MAX_ATTACHMENT_BYTES);
        big[..3].copy_from_slice(b"abc");
        assert_eq!(sanitize(&big).err(), Some(AttachmentError::Unsupported));
    }

    #[test]
    fn bombs_are_refused_from_their_headers_and_photos_estimated() {
        let mut bomb = png_header(30_000, 30_000, 6);
        bomb.extend(png_chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        bomb.extend(png_chunk(b"IEND", &[]));
        assert_eq!(estimated_memory(&bomb), Err(AttachmentError::Unreadable));
        let jpeg = encoded(&sample_image(64, 48), ImageFormat::Jpeg);
        let need = estimated_memory(&jpeg).unwrap();
        assert!((2 * 64 * 48 * 3..1024 * 1024).contains(&need), "{need}");
        assert_eq!(
            estimated_memory(b"plain text"),
            Err(AttachmentError::Unsupported)
        );
    }
}
