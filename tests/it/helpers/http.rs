//! What a reporter or a partner app does over HTTP, and reading what the pages say.

use super::server::TestApp;
use reqwest::multipart;

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Opens the form for a category and returns its one-time token.
    pub async fn form_token(&self, lang: &str, category: &str) -> String {
        let page = self
            .get(&format!("/report?lang={lang}&category={category}"))
            .await
            .text()
            .await
            .unwrap();
        let start = page.find("name=\"form_token\" value=\"").unwrap() + 25;
        page[start..].split('"').next().unwrap().to_owned()
    }

    /// Posts the report form with these text fields (and files); returns status and HTML.
    pub async fn post_form(
        &self,
        fields: &[(&str, &str)],
        files: &[(&str, Vec<u8>)],
    ) -> (u16, String) {
        let mut form = multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (name, bytes) in files {
            form = form.part(
                "attachments",
                multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
            );
        }
        let response = self
            .client
            .post(format!("{}/report", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    /// Fills and sends a complete form; returns the receipt shown.
    pub async fn file_report(&self, lang: &str, category: &str, fields: &[(&str, &str)]) -> String {
        let token = self.form_token(lang, category).await;
        let mut all = vec![
            ("form_token", token.as_str()),
            ("lang", lang),
            ("category", category),
        ];
        all.extend_from_slice(fields);
        let (status, html) = self.post_form(&all, &[]).await;
        assert_eq!(status, 200, "{html}");
        receipt_in(&html)
    }

    pub async fn post_api(&self, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/reports", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Opens a reporter session over the follow-up API with `receipt`; returns its bearer token.
    pub async fn followup_token(&self, receipt: &str) -> String {
        let opened: serde_json::Value = self
            .client
            .post(format!("{}/api/v1/followup/session", self.base))
            .json(&serde_json::json!({ "receipt": receipt }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        opened["token"]
            .as_str()
            .expect("a session token")
            .to_owned()
    }

    /// Files a report through the JSON API (201 expected) and returns its id.
    pub async fn file_api(&self, body: serde_json::Value) -> tipline::types::ReportId {
        let before = tipline::store::reports::all_ids(self.db()).await.unwrap();
        assert_eq!(self.post_api(&body).await.status(), 201, "{body}");
        tipline::store::reports::all_ids(self.db())
            .await
            .unwrap()
            .into_iter()
            .find(|i| !before.contains(i))
            .unwrap()
    }
}

/// The receipt code on a confirmation page.
pub fn receipt_in(html: &str) -> String {
    let start = html.find("id=\"receipt\"").expect("a receipt on the page");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..].split('<').next().unwrap().trim().to_owned()
}

/// True when the receipt has the documented shape: six groups of four Crockford characters.
pub fn is_receipt(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 6
        && groups.iter().all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
        })
}
