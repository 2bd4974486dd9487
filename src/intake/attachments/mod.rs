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

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

/// Largest attachment accepted, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Widest or tallest image accepted, in pixels.
const MAX_IMAGE_SIDE: u32 = 12_000;
/// Memory budget for decoded pixel buffers, in bytes.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// Most bytes one PDF object stream may inflate to while loading.
const MAX_PDF_STREAM_INFLATED: usize = 16 * 1024 * 1024;
/// Most bytes all object streams of one PDF may inflate to together (lopdf bounds each stream
/// only, and keeps what they hold).
pub const MAX_PDF_INFLATED: usize = 32 * 1024 * 1024;
/// Quality of re-encoded JPEGs (1–100).
const JPEG_QUALITY: u8 = 90;

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

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------

fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits
}

/// Decodes an image within [`decode_limits`] and applies its EXIF orientation.
fn decode_upright(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, AttachmentError> {
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

fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, AttachmentError> {
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

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, AttachmentError> {
    let mut out = Vec::new();
    image
        .write_with_encoder(PngEncoder::new(&mut out))
        .map_err(unreadable)?;
    Ok(out)
}

// ---------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------

/// Deepest nesting of arrays/dictionaries walked before giving up.
const MAX_PDF_DEPTH: usize = 128;
/// Longest chain of references followed when resolving a value.
const MAX_REFERENCE_HOPS: usize = 16;

/// Keys removed from every dictionary. Each of them only ever holds metadata,
/// scripts, automatic actions, embedded files or signer identity.
const STRIPPED_KEYS: &[&[u8]] = &[
    b"Metadata",      // XMP streams (catalog, pages, images, fonts, ...)
    b"PieceInfo",     // private application data
    b"LastModified",  // modification dates of pages and forms
    b"AA",            // additional actions (on open, close, focus, ...)
    b"OpenAction",    // action run when the document opens
    b"JavaScript",    // document-level scripts (name dictionary)
    b"EmbeddedFiles", // attached files (name dictionary)
    b"EF",            // embedded file streams of a file specification
    b"RF",            // related files of a file specification
    b"XFA",           // scriptable XML forms (interactive form dictionary)
    b"Collection",    // PDF portfolio of embedded files
    b"SpiderInfo",    // web capture source URLs
    b"Perms",         // signature permissions
    b"DSS",           // signature validation data (certificates)
];

/// Action types that run code, open other files or send data.
const DANGEROUS_ACTIONS: &[&[u8]] = &[
    b"JavaScript",
    b"Launch",
    b"SubmitForm",
    b"ImportData",
    b"GoToE",
    b"GoToR",
    b"RichMediaExecute",
    b"Rendition",
];

/// URI schemes a link may keep; anything else (javascript:, file:, ...) goes.
const SAFE_URI_SCHEMES: &[&str] = &["http:", "https:", "mailto:"];

/// Loads the PDF, removes everything listed in the module docs and saves it.
fn sanitize_pdf(bytes: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut doc = load_pdf_within_budget(bytes)?;
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(AttachmentError::Unreadable);
    }
    let scalars = resolve_scalars(&doc.objects);
    let mut dropped = forbidden_objects(&doc.objects, &scalars);
    if let Ok(Object::Reference(info)) = doc.trailer.get(b"Info") {
        dropped.insert(*info);
    }
    doc.trailer.remove(b"Info");
    doc.trailer.remove(b"ID");
    doc.objects.retain(|id, _| !dropped.contains(id));

    let scrubber = Scrubber {
        dropped: &dropped,
        scalars: &scalars,
    };
    for object in doc.objects.values_mut() {
        scrubber.scrub(object, 0)?;
    }
    remove_unreachable(&mut doc);
    doc.catalog().map_err(unreadable)?;

    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(unreadable)?;
    Ok(out)
}

thread_local! {
    /// Bytes the object streams of the PDF being loaded on this thread may still inflate to;
    /// `None` once over [`MAX_PDF_INFLATED`]. lopdf loads on the calling thread.
    static INFLATE_ALLOWANCE: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Loads a PDF with each object stream bounded by [`MAX_PDF_STREAM_INFLATED`] and all of them
/// together by [`MAX_PDF_INFLATED`]; over either, the file is unreadable.
fn load_pdf_within_budget(bytes: &[u8]) -> Result<Document, AttachmentError> {
    INFLATE_ALLOWANCE.set(Some(MAX_PDF_INFLATED));
    let options = LoadOptions {
        filter: Some(count_inflated),
        max_decompressed_size: Some(MAX_PDF_STREAM_INFLATED),
        ..LoadOptions::default()
    };
    let loaded = Document::load_mem_with_options(bytes, options);
    let within = INFLATE_ALLOWANCE.replace(None).is_some();
    match loaded {
        Ok(doc) if within => Ok(doc),
        _ => Err(AttachmentError::Unreadable),
    }
}

/// The load filter: inflates each object stream (the ones lopdf decodes eagerly) against the
/// remaining allowance before lopdf does; once over, every further object is dropped cheaply
/// and the load is refused afterwards.
///
/// lopdf keeps the object it passed for objects of the file itself (it only looks at `None`),
/// and keeps the returned value for members of object streams, which are never streams.
fn count_inflated(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    let remaining = INFLATE_ALLOWANCE.get()?;
    let Object::Stream(stream) = &*object else {
        return Some((id, object.clone()));
    };
    if stream.dict.has_type(b"ObjStm") {
        let limit = remaining.min(MAX_PDF_STREAM_INFLATED);
        match stream.decompressed_content_with_limit(limit) {
            Ok(plain) => INFLATE_ALLOWANCE.set(Some(remaining.saturating_sub(plain.len()))),
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                INFLATE_ALLOWANCE.set(None);
                return None;
            }
            // Damaged: lopdf decides, as for any other object.
            Err(_) => {}
        }
    }
    Some((id, Object::Null))
}

/// Values of all objects that are (chains of references to) plain scalars, so
/// that a name like `/S 12 0 R` cannot hide a JavaScript action.
fn resolve_scalars(objects: &BTreeMap<ObjectId, Object>) -> HashMap<ObjectId, Object> {
    objects
        .iter()
        .filter_map(|(id, object)| Some((*id, resolve_scalar(objects, object)?)))
        .collect()
}

fn resolve_scalar<'a>(
    objects: &'a BTreeMap<ObjectId, Object>,
    mut object: &'a Object,
) -> Option<Object> {
    for _ in 0..MAX_REFERENCE_HOPS {
        match object {
            Object::Reference(id) => object = objects.get(id)?,
            Object::Array(_) | Object::Dictionary(_) | Object::Stream(_) => return None,
            scalar => return Some(scalar.clone()),
        }
    }
    None
}

/// Ids of indirect objects that must disappear together with every reference
/// to them.
fn forbidden_objects(
    objects: &BTreeMap<ObjectId, Object>,
    scalars: &HashMap<ObjectId, Object>,
) -> HashSet<ObjectId> {
    let probe = Scrubber {
        dropped: &HashSet::new(),
        scalars,
    };
    objects
        .iter()
        .filter(|(_, object)| probe.is_forbidden(object))
        .map(|(id, _)| *id)
        .collect()
}

/// Walks objects and removes metadata and forbidden values in place.
struct Scrubber<'a> {
    /// Indirect objects already removed; references to them are deleted.
    dropped: &'a HashSet<ObjectId>,
    /// Resolved scalar objects, see [`resolve_scalars`].
    scalars: &'a HashMap<ObjectId, Object>,
}

impl Scrubber<'_> {
    fn scrub(&self, object: &mut Object, depth: usize) -> Result<(), AttachmentError> {
        if depth > MAX_PDF_DEPTH {
            return Err(AttachmentError::Unreadable);
        }
        match object {
            Object::Array(items) => {
                for item in items.iter_mut() {
                    self.scrub(item, depth + 1)?;
                }
                items.retain(|item| !self.is_forbidden(item));
            }
            Object::Dictionary(dict) => self.scrub_dict(dict, depth)?,
            Object::Stream(stream) => {
                self.scrub_dict(&mut stream.dict, depth)?;
                self.strip_jpeg_stream(stream)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn scrub_dict(&self, dict: &mut Dictionary, depth: usize) -> Result<(), AttachmentError> {
        for key in STRIPPED_KEYS {
            dict.remove(key);
        }
        self.strip_annotation_authorship(dict);
        for (_, value) in dict.iter_mut() {
            self.scrub(value, depth + 1)?;
        }
        let forbidden: Vec<Vec<u8>> = dict
            .iter()
            .filter(|(_, value)| self.is_forbidden(value))
            .map(|(key, _)| key.clone())
            .collect();
        for key in forbidden {
            dict.remove(&key);
        }
        Ok(())
    }

    /// Annotation authors (`/T`) and dates reveal who wrote a note and when.
    /// Widgets are skipped: their `/T` is the form field name.
    fn strip_annotation_authorship(&self, dict: &mut Dictionary) {
        let Some(subtype) = self.name(dict, b"Subtype") else {
            return;
        };
        if !dict.has(b"Rect") {
            return;
        }
        if subtype != b"Widget" {
            dict.remove(b"T");
        }
        dict.remove(b"M");
        dict.remove(b"CreationDate");
    }

    /// Whether a value must be removed from wherever it appears.
    fn is_forbidden(&self, object: &Object) -> bool {
        match object {
            Object::Reference(id) => self.dropped.contains(id),
            Object::Dictionary(dict) => self.is_forbidden_dict(dict),
            Object::Stream(stream) => self.is_forbidden_dict(&stream.dict),
            _ => false,
        }
    }

    fn is_forbidden_dict(&self, dict: &Dictionary) -> bool {
        let kind = self.name(dict, b"Type");
        let is_signature = matches!(kind, Some(b"Sig" | b"DocTimeStamp")) || dict.has(b"ByteRange");
        let is_attachment = matches!(kind, Some(b"EmbeddedFile" | b"Metadata"))
            || self.name(dict, b"Subtype") == Some(b"FileAttachment");
        is_signature || is_attachment || self.is_dangerous_action(dict)
    }

    fn is_dangerous_action(&self, dict: &Dictionary) -> bool {
        match self.name(dict, b"S") {
            Some(b"URI") => !self.has_safe_uri(dict),
            Some(action) => DANGEROUS_ACTIONS.contains(&action),
            None => false,
        }
    }

    fn has_safe_uri(&self, dict: &Dictionary) -> bool {
        let Some(uri) = self.resolve(dict, b"URI").and_then(|uri| uri.as_str().ok()) else {
            return false;
        };
        let uri = String::from_utf8_lossy(uri)
            .trim_start()
            .to_ascii_lowercase();
        SAFE_URI_SCHEMES
            .iter()
            .any(|scheme| uri.starts_with(scheme))
    }

    /// Image streams encoded as JPEG keep their pixels but lose EXIF, XMP,
    /// ICC, comments and trailing data. Chained filters cannot be verified.
    fn strip_jpeg_stream(&self, stream: &mut Stream) -> Result<(), AttachmentError> {
        let filters: Vec<&[u8]> = match self.resolve(&stream.dict, b"Filter") {
            Some(Object::Name(name)) => vec![name.as_slice()],
            Some(Object::Array(names)) => names.iter().filter_map(|n| n.as_name().ok()).collect(),
            _ => return Ok(()),
        };
        match filters.as_slice() {
            [b"DCTDecode"] => {
                let clean =
                    strip_jpeg_segments(&stream.content).ok_or(AttachmentError::Unreadable)?;
                stream.set_content(clean);
                Ok(())
            }
            chain if chain.contains(&b"DCTDecode".as_slice()) => Err(AttachmentError::Unreadable),
            _ => Ok(()),
        }
    }

    /// A dictionary value with references to scalars resolved.
    fn resolve<'d>(&'d self, dict: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
        match dict.get(key).ok()? {
            Object::Reference(id) => self.scalars.get(id),
            direct => Some(direct),
        }
    }

    fn name<'d>(&'d self, dict: &'d Dictionary, key: &[u8]) -> Option<&'d [u8]> {
        self.resolve(dict, key)?.as_name().ok()
    }
}

/// Deletes every object not reachable from the trailer (old Info
/// dictionaries, XMP streams, object and cross-reference streams, ...).
/// Iterative with a hash set: hostile files may hold many objects.
fn remove_unreachable(doc: &mut Document) {
    let mut reachable = HashSet::new();
    let mut pending: Vec<&Object> = doc.trailer.iter().map(|(_, value)| value).collect();
    while let Some(object) = pending.pop() {
        match object {
            // First visit only: `insert` is false for objects already seen.
            Object::Reference(id) if reachable.insert(*id) => {
                pending.extend(doc.objects.get(id));
            }
            Object::Array(items) => pending.extend(items.iter()),
            Object::Dictionary(dict) => pending.extend(dict.iter().map(|(_, value)| value)),
            Object::Stream(stream) => pending.extend(stream.dict.iter().map(|(_, value)| value)),
            _ => {}
        }
    }
    doc.objects.retain(|id, _| reachable.contains(id));
}

// ---------------------------------------------------------------------------
// JPEG marker segments (completeness check, JPEG images inside PDFs)
// ---------------------------------------------------------------------------

const JPEG_SOI: u8 = 0xD8;
const JPEG_EOI: u8 = 0xD9;
const JPEG_SOS: u8 = 0xDA;

/// Rebuilds a JPEG bit stream losslessly without metadata segments. Keeps
/// everything needed to decode it; drops APPn (except a thumbnail-free JFIF
/// header and the Adobe header, which only hold decoding parameters),
/// comments and anything after the end-of-image marker. `None` if the marker structure is broken
/// or the data ends before the end-of-image marker.
fn strip_jpeg_segments(data: &[u8]) -> Option<Vec<u8>> {
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
    use super::*;
    use image::{GenericImageView, Rgb, RgbImage};
    use lopdf::{StringFormat, dictionary};

    const GPS_MARKER: &str = "MARKER-GPS-4711";
    const XMP_MARKER: &str = "MARKER-XMP-4712";
    const COMMENT_MARKER: &str = "MARKER-COM-4713";
    const TRAILER_MARKER: &str = "MARKER-TRAIL-4714";

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    /// Red top-left quadrant on blue, so rotations are visible.
    fn sample_image(width: u32, height: u32) -> DynamicImage {
        let image = RgbImage::from_fn(width, height, |x, y| {
            if x < width / 2 && y < height / 2 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        DynamicImage::ImageRgb8(image)
    }

    fn is_reddish(image: &DynamicImage, x: u32, y: u32) -> bool {
        let [r, _, b, _] = image.get_pixel(x, y).0;
        r > 200 && b < 60
    }

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// Little-endian TIFF block: IFD0 with Orientation and a GPS IFD pointer,
    /// GPS IFD with a latitude reference and a map datum holding `marker`.
    fn exif_tiff(orientation: u16, marker: &str) -> Vec<u8> {
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

    fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let length = u16::try_from(payload.len() + 2).unwrap();
        let mut segment = vec![0xFF, marker];
        segment.extend(length.to_be_bytes());
        segment.extend(payload);
        segment
    }

    /// A JPEG with EXIF (orientation + GPS), XMP, a comment and trailing data.
    fn jpeg_with_metadata(image: &DynamicImage, orientation: u16) -> Vec<u8> {
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

    fn crc32(data: &[u8]) -> u32 {
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

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        chunk.extend(kind);
        chunk.extend(data);
        chunk.extend(crc32(&chunk[4..]).to_be_bytes());
        chunk
    }

    const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    /// Signature (8) + IHDR chunk (4 + 4 + 13 + 4).
    const PNG_HEADER_LEN: usize = 33;

    fn png_header(width: u32, height: u32, color_type: u8) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, color_type, 0, 0, 0]);
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(png_chunk(b"IHDR", &ihdr));
        png
    }

    fn assert_jpeg_metadata_gone(clean: &[u8]) {
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

    #[test]
    fn pdf_object_streams_are_bounded_in_total() {
        // Each stream inflates to 4 MiB, under the per-stream cap; 9 of them exceed the total.
        let pdf = |streams: u32| {
            let mut out = b"%PDF-1.7\n".to_vec();
            let mut offsets = Vec::new();
            let mut object = |out: &mut Vec<u8>, body: &[u8]| {
                offsets.push(out.len());
                out.extend(format!("{} 0 obj\n", offsets.len()).as_bytes());
                out.extend(body);
                out.extend(b"\nendobj\n");
            };
            object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
            object(&mut out, b"<< /Type /Pages /Kids [] /Count 0 >>");
            for i in 0..streams {
                let mut plain = format!("{} 0 (x)", 100 + i).into_bytes();
                plain.resize(4 * 1024 * 1024, b' ');
                let mut stream = Stream::new(dictionary! {}, plain);
                stream.compress().unwrap();
                let mut body = format!(
                    "<< /Type /ObjStm /N 1 /First 6 /Filter /FlateDecode /Length {} >>\nstream\n",
                    stream.content.len()
                )
                .into_bytes();
                body.extend(&stream.content);
                body.extend(b"\nendstream");
                object(&mut out, &body);
            }
            let xref = out.len();
            out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes());
            for offset in &offsets {
                out.extend(format!("{offset:010} 00000 n \n").as_bytes());
            }
            let size = offsets.len() + 1;
            out.extend(
                format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                    .as_bytes(),
            );
            out
        };
        assert!(sanitize(&pdf(2)).is_ok());
        assert_eq!(sanitize(&pdf(9)).err(), Some(AttachmentError::Unreadable));
        // The allowance does not leak into the next file on the same thread.
        assert!(sanitize(&pdf(2)).is_ok());
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

    // -- PDF ---------------------------------------------------------------

    const PDF_MARKERS: &[&str] = &[
        "MARKER-PDF-AUTHOR",
        "MARKER-PDF-ID",
        "MARKER-PDF-XMP",
        "MARKER-PDF-OPENJS",
        "MARKER-PDF-NAMEJS",
        "MARKER-PDF-EMBED",
        "MARKER-PDF-ANNOTFILE",
        "MARKER-PDF-LAUNCH",
        "MARKER-PDF-INDIRECTJS",
        "MARKER-PDF-JSURI",
        "MARKER-PDF-NOTEAUTHOR",
        "MARKER-PDF-PIECEINFO",
        "MARKER-PDF-FILENAME",
        "MARKER-PDF-SIGNER",
        GPS_MARKER,
        XMP_MARKER,
        COMMENT_MARKER,
    ];

    fn text(value: &str) -> Object {
        Object::String(value.as_bytes().to_vec(), StringFormat::Literal)
    }

    fn embedded_file(doc: &mut Document, content: &str) -> ObjectId {
        let stream = Stream::new(dictionary! { "Type" => "EmbeddedFile" }, content.into());
        let file = doc.add_object(stream);
        doc.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => text("MARKER-PDF-FILENAME.txt"),
            "EF" => dictionary! { "F" => file },
        })
    }

    /// One page with text and a JPEG image (carrying EXIF/XMP/COM), plus every
    /// kind of metadata and active content the sanitiser must remove.
    fn dirty_pdf(photo: &[u8]) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();

        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let photo = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 64, "Height" => 48,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            photo.to_vec(),
        ));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 72 720 Td (Hello investigator) Tj ET q 64 0 0 48 72 600 cm /Im1 Do Q"
                .to_vec(),
        ));
        let attached = embedded_file(&mut doc, "MARKER-PDF-ANNOTFILE");
        let javascript_name = doc.add_object(Object::Name(b"JavaScript".to_vec()));
        let annots = vec![
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "FileAttachment", "Rect" => vec![0.into(), 0.into(), 9.into(), 9.into()],
                "FS" => attached,
            })
            .into(),
            Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Text", "Rect" => vec![9.into(), 9.into(), 20.into(), 20.into()],
                "T" => text("MARKER-PDF-NOTEAUTHOR"), "M" => text("D:20240101120000+03'00'"),
                "Contents" => text("keep this note"),
            }),
            Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![20.into(), 20.into(), 30.into(), 30.into()],
                "A" => dictionary! { "S" => "Launch", "F" => text("MARKER-PDF-LAUNCH.exe") },
            }),
            Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![30.into(), 30.into(), 40.into(), 40.into()],
                "A" => dictionary! { "S" => javascript_name, "JS" => text("app.alert('MARKER-PDF-INDIRECTJS')") },
            }),
            Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![40.into(), 40.into(), 50.into(), 50.into()],
                "A" => dictionary! { "S" => "URI", "URI" => text(" JavaScript:alert('MARKER-PDF-JSURI')") },
            }),
            Object::Dictionary(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![50.into(), 50.into(), 60.into(), 60.into()],
                "A" => dictionary! { "S" => "URI", "URI" => text("https://example.org/keep") },
            }),
        ];
        let signature = doc.add_object(dictionary! {
            "Type" => "Sig", "Name" => text("MARKER-PDF-SIGNER"), "ByteRange" => vec![0.into(), 1.into()],
        });
        // Indirect, so only pruning unreachable objects removes it.
        let piece_info = doc.add_object(dictionary! {
            "App" => dictionary! { "Private" => text("MARKER-PDF-PIECEINFO") },
        });
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Contents" => content,
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "Im1" => photo },
            },
            "Annots" => annots,
            "PieceInfo" => piece_info,
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );

        let xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>MARKER-PDF-XMP</dc:creator></x:xmpmeta>".to_vec(),
        ));
        let open_action = doc.add_object(dictionary! {
            "S" => "JavaScript", "JS" => text("app.alert('MARKER-PDF-OPENJS')"),
        });
        let named_js = doc.add_object(dictionary! {
            "S" => "JavaScript", "JS" => text("app.alert('MARKER-PDF-NAMEJS')"),
        });
        let embedded = embedded_file(&mut doc, "MARKER-PDF-EMBED");
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "Metadata" => xmp,
            "OpenAction" => open_action,
            "Names" => dictionary! {
                "EmbeddedFiles" => dictionary! { "Names" => vec![text("notes.txt"), embedded.into()] },
                "JavaScript" => dictionary! { "Names" => vec![text("init"), named_js.into()] },
            },
            "AcroForm" => dictionary! {
                "Fields" => vec![],
                "XFA" => text("<xdp>MARKER-PDF-OPENJS</xdp>"),
                "SigField" => dictionary! { "FT" => "Sig", "V" => signature },
            },
        });
        let info = doc.add_object(dictionary! {
            "Author" => text("MARKER-PDF-AUTHOR"), "Producer" => text("Scanner 3000"),
        });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        doc.trailer
            .set("ID", vec![text("MARKER-PDF-ID"), text("MARKER-PDF-ID")]);

        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn annotations(doc: &Document) -> Vec<Dictionary> {
        let (_, page) = doc.get_pages().into_iter().next().unwrap();
        let page = doc.get_dictionary(page).unwrap();
        let annots = page.get(b"Annots").unwrap().as_array().unwrap();
        annots
            .iter()
            .map(|annot| match annot {
                Object::Reference(id) => doc.get_dictionary(*id).unwrap().clone(),
                other => other.as_dict().unwrap().clone(),
            })
            .collect()
    }

    #[test]
    fn pdf_loses_metadata_scripts_and_embedded_files() {
        let photo = jpeg_with_metadata(&sample_image(64, 48), 1);
        let dirty = dirty_pdf(&photo);
        for marker in PDF_MARKERS {
            assert!(
                contains(&dirty, marker.as_bytes()),
                "fixture lacks {marker}"
            );
        }

        let clean = sanitize(&dirty).unwrap();
        assert_eq!(clean.kind, AttachmentKind::Pdf);
        for marker in PDF_MARKERS {
            assert!(
                !contains(&clean.bytes, marker.as_bytes()),
                "{marker} survived"
            );
        }
        for needle in [
            &b"Exif"[..],
            b"/Info",
            b"/OpenAction",
            b"/EmbeddedFiles",
            b"/JS",
        ] {
            assert!(
                !contains(&clean.bytes, needle),
                "{}",
                String::from_utf8_lossy(needle)
            );
        }

        // Still a usable document with its visible content.
        let doc = Document::load_mem(&clean.bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        assert!(contains(&clean.bytes, b"(Hello investigator) Tj"));
        let annots = annotations(&doc);
        let subtypes: Vec<&[u8]> = annots
            .iter()
            .map(|a| a.get(b"Subtype").unwrap().as_name().unwrap())
            .collect();
        // The file attachment is gone; links with dangerous actions stay inert.
        assert_eq!(subtypes, [&b"Text"[..], b"Link", b"Link", b"Link", b"Link"]);
        assert_eq!(
            annots[0].get(b"Contents").unwrap().as_str().unwrap(),
            b"keep this note"
        );
        assert!(!annots[0].has(b"T") && !annots[0].has(b"M"));
        let actions: Vec<&Dictionary> = annots
            .iter()
            .filter_map(|a| a.get(b"A").ok()?.as_dict().ok())
            .collect();
        assert_eq!(actions.len(), 1);
        let uri = actions[0].get(b"URI").unwrap().as_str().unwrap();
        assert_eq!(uri, b"https://example.org/keep");

        let image = doc
            .objects
            .values()
            .filter_map(|object| object.as_stream().ok())
            .find(|stream| stream.dict.has_type(b"XObject"))
            .unwrap();
        let pixels =
            image::load_from_memory_with_format(&image.content, ImageFormat::Jpeg).unwrap();
        assert_eq!(pixels.dimensions(), (64, 48));
    }

    #[test]
    fn pdf_with_compressed_object_streams_is_cleaned_too() {
        let photo = jpeg_with_metadata(&sample_image(64, 48), 1);
        let mut doc = Document::load_mem(&dirty_pdf(&photo)).unwrap();
        let mut modern = Vec::new();
        doc.save_modern(&mut modern).unwrap();
        // The Info dictionary now hides inside a compressed object stream.
        assert!(!contains(&modern, b"MARKER-PDF-AUTHOR"));

        let clean = sanitize(&modern).unwrap();
        let mut reloaded = Document::load_mem(&clean.bytes).unwrap();
        assert_eq!(reloaded.get_pages().len(), 1);
        reloaded.decompress();
        let mut plain = Vec::new();
        reloaded.save_to(&mut plain).unwrap();
        for marker in PDF_MARKERS {
            assert!(!contains(&plain, marker.as_bytes()), "{marker} survived");
        }
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

    #[test]
    fn broken_and_encrypted_pdfs_are_unreadable() {
        let garbage = b"%PDF-1.7\nthis is not really a pdf".to_vec();
        assert_eq!(sanitize(&garbage).err(), Some(AttachmentError::Unreadable));

        let mut doc = Document::with_version("1.4");
        let pages =
            doc.add_object(dictionary! { "Type" => "Pages", "Kids" => vec![], "Count" => 0 });
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        let encrypt = doc.add_object(dictionary! {
            "Filter" => "Standard", "V" => 1, "R" => 2, "P" => -4,
            "O" => Object::String(vec![7; 32], StringFormat::Hexadecimal),
            "U" => Object::String(vec![9; 32], StringFormat::Hexadecimal),
        });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Encrypt", encrypt);
        let mut encrypted = Vec::new();
        doc.save_to(&mut encrypted).unwrap();
        assert_eq!(
            sanitize(&encrypted).err(),
            Some(AttachmentError::Unreadable)
        );
    }
}
