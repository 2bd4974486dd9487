//! Sealing at rest: a report with a unique marker in every sensitive field (and an attachment
//! holding it) leaves no trace of the marker, as text, hex or base64, in any file of the data
//! directory (database, WAL, shared memory) nor in a `pg_dump`; nor does the receipt.

use crate::helpers::{Backend, TestApp, both_backends};
use data_encoding::{BASE64, HEXLOWER, HEXUPPER};
use std::path::Path;
use tipline::store::reports;

/// A tiny valid PNG (1×1) with a tEXt chunk.
pub fn png_with_text(key: &str, value: &str) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
        out
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
    png.extend(chunk(b"tEXt", format!("{key}\0{value}").as_bytes()));
    // zlib stream of one scanline: filter byte 0 and one RGB pixel, stored uncompressed.
    let raw = [0u8, 200, 30, 30];
    let mut z = vec![0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF];
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    png.extend(chunk(b"IDAT", &z));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A one-page PDF whose page text is `text`.
pub fn pdf_with_text(text: &str) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = format!("BT /F1 12 Tf 72 712 Td ({text}) Tj ET");
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Every encoding of `needle` a careless implementation might leave behind.
fn encodings(needle: &str) -> Vec<Vec<u8>> {
    let bytes = needle.as_bytes();
    let mut out = vec![
        bytes.to_vec(),
        HEXLOWER.encode(bytes).into_bytes(),
        HEXUPPER.encode(bytes).into_bytes(),
    ];
    // Base64 of the needle at each of the three alignments inside a longer text.
    for pad in 0..3 {
        let mut shifted = vec![b' '; pad];
        shifted.extend_from_slice(bytes);
        let encoded = BASE64.encode(&shifted);
        let skip = (pad * 4).div_ceil(3) + 1;
        out.push(encoded.as_bytes()[skip..encoded.len() - 4].to_vec());
    }
    out
}

fn find_any(haystack: &[u8], needles: &[Vec<u8>]) -> bool {
    needles
        .iter()
        .any(|n| haystack.windows(n.len()).any(|w| w == n.as_slice()))
}

fn scan_dir(dir: &Path, needles: &[Vec<u8>], what: &str) -> usize {
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scanned += scan_dir(&path, needles, what);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !find_any(&bytes, needles),
                "{what} found in {}",
                path.display()
            );
            scanned += 1;
        }
    }
    scanned
}

fn pg_dump(database_url: &str) -> Vec<u8> {
    let out = std::process::Command::new("pg_dump")
        .arg(database_url)
        .output()
        .expect("pg_dump installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.len() > 1000);
    out.stdout
}

both_backends! {
    async fn no_marker_and_no_receipt_anywhere_at_rest(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let marker = format!("ZQXMARK{}", uuid::Uuid::now_v7().simple());
        let m = |field: &str| format!("{marker}-{field}");
        let token = app.form_token("en", "labour_exploitation").await;
        let fields: Vec<(String, String)> = vec![
            ("form_token".into(), token),
            ("lang".into(), "en".into()),
            ("category".into(), "labour_exploitation".into()),
            ("narrative".into(), m("narrative")),
            ("city".into(), m("city")),
            ("venue".into(), m("venue")),
            ("victims_description".into(), m("victims")),
            ("exploiters_description".into(), m("exploiters")),
            ("phones".into(), m("phone")),
            ("emails".into(), format!("{}@example.org", m("email"))),
            ("websites".into(), format!("https://{}.example/", m("site"))),
            ("social_handles".into(), m("handle")),
            ("vehicle_plates".into(), m("plate")),
            ("anonymous".into(), "no".into()),
            ("contact_name".into(), m("contact-name")),
            ("contact_email".into(), format!("{}@example.net", m("contact"))),
            ("contact_phone".into(), m("contact-phone")),
        ];
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let pdf = pdf_with_text(&m("attachment"));
        let (status, html) = app.post_form(&borrowed, &[("evidence.pdf", pdf)]).await;
        assert_eq!(status, 200, "{html}");
        let receipt = crate::helpers::receipt_in(&html);
        let abuse = app
            .post_api(&serde_json::json!({
                "category": "abuse_material_online",
                "abuse_url": format!("https://{}.example/x", m("abuse-url")),
                "abuse_where": m("abuse-where"),
                "narrative": m("abuse-comment"),
            }))
            .await;
        assert_eq!(abuse.status(), 201);
        let api_receipt = abuse.json::<serde_json::Value>().await.unwrap()["receipt"].as_str().unwrap().to_owned();

        // The test is meaningful: a permitted reader gets every marker back.
        let stored = app.stored_reports().await;
        let opened = format!("{:?}", stored.iter().map(|(_, o)| o).collect::<Vec<_>>());
        for field in ["narrative", "city", "venue", "victims", "exploiters", "phone", "email", "site", "handle",
                      "plate", "contact-name", "contact", "contact-phone", "abuse-url", "abuse-where", "abuse-comment"] {
            assert!(opened.contains(&m(field)), "{field} not stored");
        }
        let sealer = app.sealer().await;
        let (row, _) = stored.iter().find(|(r, _)| r.triage.category == "labour_exploitation").unwrap();
        let files = reports::attachments(app.db(), &row.id).await.unwrap();
        let content = sealer
            .open(&tipline::intake::sealed::attachment_aad(&row.id, &files[0].id, "content"), &files[0].content)
            .unwrap();
        assert!(find_any(&content, &[m("attachment").into_bytes()]), "the PDF's text survives cleaning");

        let mut needles = encodings(&marker);
        for r in [&receipt, &api_receipt] {
            needles.extend(encodings(r));
            needles.extend(encodings(&r.replace('-', "")));
            needles.extend(encodings(&r.replace('-', "")[8..]));
        }
        match backend {
            Backend::Sqlite => {
                let scanned = scan_dir(&app.data_dir(), &needles, "marker or receipt");
                assert!(scanned >= 2, "database and WAL scanned, got {scanned}");
            }
            Backend::Postgres => {
                let dump = pg_dump(app.database_url.as_deref().unwrap());
                assert!(!find_any(&dump, &needles), "marker or receipt in pg_dump");
                scan_dir(&app.data_dir(), &needles, "marker or receipt");
            }
        }
        app.finish().await;
    }
}
