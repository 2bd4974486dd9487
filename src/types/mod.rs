//! Shared leaf types that every room may use and that use nothing of tipline.

pub mod xml;
