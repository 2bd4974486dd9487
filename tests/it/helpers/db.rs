//! Looking at what the server stored: opened reports, related reports, the search queue.

use super::server::TestApp;
use tipline::intake::sealed::{OpenedReport, open_report};
use tipline::seal::{KeyRing, Sealer};
use tipline::store::data_keys;
use tipline::store::reports::{self, StoredReport};
use tipline::types::ReportId;

impl TestApp {
    /// The sealer built from this app's key directory and database, as a permitted reader.
    pub async fn sealer(&self) -> Sealer {
        let keys = KeyRing::load_or_create(&self.key_dir(), &self.data_dir()).unwrap();
        data_keys::load_sealer(self.db(), &keys, 0).await.unwrap()
    }

    /// Every stored report, opened.
    pub async fn stored_reports(&self) -> Vec<(StoredReport, OpenedReport)> {
        let sealer = self.sealer().await;
        let mut out = Vec::new();
        for id in reports::all_ids(self.db()).await.unwrap() {
            let stored = reports::by_id(self.db(), &id).await.unwrap().unwrap();
            let opened = open_report(&sealer, &stored).unwrap();
            out.push((stored, opened));
        }
        out
    }

    /// The other reports holding each identifier of `report_id` that `visibility` lets the
    /// viewer see: the `latest` most recently filed of each, counted up to `most_counted`.
    pub async fn holders(
        &self,
        report_id: &ReportId,
        visibility: &tipline::types::Visibility,
        latest: usize,
        most_counted: usize,
    ) -> Vec<tipline::store::links::Holders> {
        use tipline::store::links;
        let own = links::of_report(self.db(), report_id).await.unwrap();
        links::holders(self.db(), report_id, &own, visibility, latest, most_counted)
            .await
            .unwrap()
    }

    /// Every other report sharing an identifier with `report_id`, sorted, once each.
    pub async fn related(&self, report_id: &ReportId) -> Vec<ReportId> {
        let everything = tipline::types::Visibility::Everything;
        let mut ids: Vec<ReportId> = self
            .holders(report_id, &everything, usize::MAX, 100_000)
            .await
            .into_iter()
            .flat_map(|h| h.latest)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Waits until the background indexer has taken in everything filed so far.
    pub async fn indexed(&self) {
        for _ in 0..300 {
            if tipline::store::search::queued(self.db()).await.unwrap() == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the search indexer did not catch up within 15 s");
    }
}
