//! Owns forwarding cases to the competent authorities and partner hotlines. So far: the
//! hotline's own forwarding keys ([`keys`]), which packages will be signed and opened with.
//! Uses seal (the key directory's conventions).

pub mod keys;
