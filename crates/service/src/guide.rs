//! The guided first start: a workspace the demo was seeded into opens on a short path through
//! the app (run the demo config, watch it, review its band, approve one, export) until the user
//! turns it off. The choice is a workspace setting, so it survives restarts and stays with the
//! file rather than with one machine's window.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::Workspace;

const GUIDE_SETTING: &str = "guide.first_start";
/// Offered by the demo seeding; shown at every start until turned off.
const OFFERED: &str = "offered";
const DISMISSED: &str = "dismissed";

/// Whether the window opens the guided first start by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GuideState {
    /// True on a demo workspace until the user chose "Don't show again"; false elsewhere (the
    /// guide runs on the demo's data, so a workspace of one's own never opens on it).
    pub show_at_start: bool,
}

impl Workspace {
    pub fn guide_state(&self) -> Result<GuideState> {
        Ok(GuideState {
            show_at_start: self.store.setting(GUIDE_SETTING)?.as_deref() == Some(OFFERED),
        })
    }

    /// Turns the guide at start on or off; the help menu reopens it either way.
    pub fn set_guide_at_start(&self, show: bool) -> Result<GuideState> {
        self.store
            .set_setting(GUIDE_SETTING, if show { OFFERED } else { DISMISSED })?;
        self.guide_state()
    }

    /// Called when the demo is seeded: the first start of a demo workspace opens on the guide.
    pub(crate) fn offer_guide(&self) -> Result<()> {
        self.store.set_setting(GUIDE_SETTING, OFFERED)?;
        Ok(())
    }
}
