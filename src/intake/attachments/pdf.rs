//! PDF: parsed within an inflation budget and re-serialised without the document information
//! dictionary, document ID, XMP streams, scripts and dangerous actions, embedded files,
//! signatures, private application data, annotation authors and dates, and metadata segments of
//! embedded JPEG images.

use super::jpeg::strip_jpeg_segments;
use super::{AttachmentError, unreadable};
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most bytes one PDF object stream may inflate to while loading.
const MAX_PDF_STREAM_INFLATED: usize = 16 * 1024 * 1024;
/// Most bytes all object streams of one PDF may inflate to together (lopdf bounds each stream
/// only, and keeps what they hold).
pub const MAX_PDF_INFLATED: usize = 32 * 1024 * 1024;

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
pub(super) fn sanitize_pdf(bytes: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut doc = load_pdf_within_budget(bytes)?;
    scrub_document(&mut doc)?;
    remove_unreachable(&mut doc);
    doc.catalog().map_err(unreadable)?;
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(unreadable)?;
    Ok(out)
}

/// Removes from a loaded document everything listed in the module docs (what is then no longer
/// reachable stays, for the caller to drop).
fn scrub_document(doc: &mut Document) -> Result<(), AttachmentError> {
    if doc.trailer.has(b"Encrypt") || doc.encryption_state.is_some() {
        return Err(AttachmentError::Unreadable);
    }
    // Object 0 heads the free list and is never a real object; lopdf reads one but then writes
    // a file it cannot read back (the fuzzer found it).
    if doc.objects.keys().any(|&(number, _)| number == 0) {
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
    Ok(())
}

/// What a cleaned PDF still holds that cleaning removes: scrubbing it again, with the same code,
/// must change none of its objects.
#[cfg(feature = "fuzz-targets")]
pub(super) fn pdf_left_behind(bytes: &[u8]) -> Option<&'static str> {
    let Ok(doc) = load_pdf_within_budget(bytes) else {
        return Some("a PDF that does not read back");
    };
    let mut again = doc.clone();
    match scrub_document(&mut again) {
        Err(_) => Some("a PDF that does not clean again"),
        Ok(()) if again.objects != doc.objects || again.trailer != doc.trailer => {
            Some("something that cleaning removes")
        }
        Ok(()) => None,
    }
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

#[cfg(test)]
mod tests {
    use super::super::samples::*;
    use super::*;
    use crate::intake::attachments::{AttachmentKind, sanitize};
    use image::{GenericImageView, ImageFormat};
    use lopdf::{StringFormat, dictionary};

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
