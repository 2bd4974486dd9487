//! Linking: identifiers found in reports (phone numbers, e-mails, URLs and domains, handles,
//! plates, IBANs, venues), normalised so spellings match, stored behind a keyed blind index, and
//! the related reports they reveal.

pub mod cluster;
pub mod identifiers;
pub mod index;
