//! The application layer: one function per use case, each taking the acting user, returning a
//! typed domain error, and writing its change and the audit entry recording it in one database
//! transaction ([`crate::staff::audit::AuditLog::begin`]), so that no change is ever kept without
//! its trace.
//!
//! It owns the case rules that used to sit in the web handlers (who may be assigned, which status
//! move needs which permission, what saving an assessment does to the urgency), and the
//! background jobs that use several rooms (`rederive`: indexing set-aside reports again;
//! `reseal`: the start-up re-sealing pass). `web` and `cli` call it and only extract, call and
//! render.
//!
//! Owns: the use cases and the background jobs.
//! May use: `types`, `clock`, `seal`, `store` and every domain room (see `LAYERS` in
//! `src/lib.rs`).

pub mod accounts;
pub mod assessment;
pub mod cases;
pub mod cluster;
pub mod open;
pub mod rederive;
pub mod reply;
pub mod reseal;
pub mod results;
pub mod security;

use crate::assess::Catalogue;
use crate::clock::SharedClock;
use crate::followup::notice::Notifier;
use crate::seal::Sealer;
use crate::search::index::TermIndex;
use crate::staff::audit::{AuditEntry, AuditError, AuditLog, AuditTx};
use crate::staff::audit_action::AuditAction;
use crate::store::{Db, StoreError};
use crate::types::{ReportId, UserId};

/// What the use cases work with. Cheap to build: it borrows from the server's shared state.
#[derive(Clone, Copy)]
pub struct App<'a> {
    pub db: &'a Db,
    pub audit: &'a AuditLog,
    pub sealer: &'a Sealer,
    /// Passkeys and recovery codes of staff.
    pub factors: &'a crate::staff::passkeys::SecondFactors,
    pub catalogue: &'a Catalogue,
    pub clock: &'a SharedClock,
    /// The keyed term index (a staff message is made searchable).
    pub terms: &'a TermIndex,
    /// Sends the content-free e-mail notice, when an SMTP server is configured.
    pub notifier: Option<&'a Notifier>,
}

impl App<'_> {
    /// Now, in unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    /// A transaction holding the audit append lock, for a change and its entry.
    pub(crate) async fn begin(&self) -> Result<AuditTx, CaseError> {
        self.audit.begin().await.map_err(CaseError::audit)
    }

    /// Adds one entry by `actor` (a user id) to `tx`, at now.
    pub(crate) async fn record(
        &self,
        tx: &mut AuditTx,
        actor: &UserId,
        action: AuditAction,
        report_id: Option<&ReportId>,
        detail: &str,
    ) -> Result<(), CaseError> {
        let entry = AuditEntry {
            actor: actor.as_str(),
            action,
            report_id,
            detail,
        };
        tx.record(entry, self.now())
            .await
            .map(|_| ())
            .map_err(CaseError::audit)
    }

    /// Records one entry on its own, for what changes nothing but must leave a trace (a view);
    /// the caller shows nothing when this fails.
    pub(crate) async fn audit_alone(
        &self,
        actor: &UserId,
        action: AuditAction,
        report_id: Option<&ReportId>,
        detail: &str,
    ) -> Result<(), CaseError> {
        let mut tx = self.begin().await?;
        self.record(&mut tx, actor, action, report_id, detail)
            .await?;
        commit(tx).await
    }
}

/// Why a use case on a case did not happen. Every refusal about a report the actor may not see
/// is [`CaseError::NotFound`], so it looks like a report that does not exist.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("no such report")]
    NotFound,
    #[error("the report may be seen but not changed this way by this user")]
    Forbidden,
    #[error("the change does not apply to the report as it is now")]
    Conflict,
    /// Nothing was changed: the audit trail could not record the change.
    #[error("the audit trail cannot record: {0}")]
    AuditUnavailable(#[source] AuditError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl CaseError {
    pub(crate) fn audit(e: AuditError) -> Self {
        Self::AuditUnavailable(e)
    }
}

/// Commits a change with its entries. A head file that could not be moved forward afterwards is
/// logged, not reported: the change and its entry ARE committed, and the file still names an
/// earlier entry of the same chain.
pub(crate) async fn commit(tx: AuditTx) -> Result<(), CaseError> {
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(e @ AuditError::HeadWrite { .. }) => {
            tracing::error!(error = %e, "audit head file not written");
            Ok(())
        }
        Err(AuditError::Store(e)) => Err(CaseError::Store(e)),
        Err(e) => Err(CaseError::AuditUnavailable(e)),
    }
}
