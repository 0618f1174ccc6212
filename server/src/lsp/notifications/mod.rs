//! Notification handlers (and `initialize`, which shapes the session). One file each.

pub mod did_change;
pub mod did_change_configuration;
pub mod did_change_watched_files;
pub mod did_open;
pub mod initialize;
