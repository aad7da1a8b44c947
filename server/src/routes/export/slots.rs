//! At most `PER_USER` exports at once per user in this process: each holds a connection and
//! walks the events table, so one person opening twenty tabs cannot starve the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use store::users::UserId;

pub const PER_USER: usize = 2;

#[derive(Clone, Default)]
pub struct ExportSlots {
    running: Arc<Mutex<HashMap<UserId, usize>>>,
}

/// A running export's place; given back when dropped (the stream ended, however).
pub struct Slot {
    slots: ExportSlots,
    user: UserId,
}

impl ExportSlots {
    /// A place for one more export of `user`, unless they have `PER_USER` running.
    pub fn take(&self, user: UserId) -> Option<Slot> {
        let mut running = self.lock();
        let count = running.entry(user).or_insert(0);
        if *count >= PER_USER {
            return None;
        }
        *count += 1;
        Some(Slot {
            slots: self.clone(),
            user,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, usize>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = self.slots.lock();
        if let Some(count) = running.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                running.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_runs_two_exports_at_once_and_a_third_waits_for_one_to_end() {
        let slots = ExportSlots::default();
        let (ana, bo) = (UserId(1), UserId(2));
        let first = slots.take(ana).expect("a first");
        let _second = slots.take(ana).expect("a second");
        assert!(slots.take(ana).is_none(), "not a third");
        assert!(slots.take(bo).is_some(), "others are not held up");
        drop(first);
        assert!(slots.take(ana).is_some(), "one ended: room again");
        assert_eq!(
            slots.lock().len(),
            1,
            "nothing kept for users with none running"
        );
    }
}
