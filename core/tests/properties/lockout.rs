//! Lockout after consecutive failed logins.

use proptest::prelude::*;
use zeugnis_core::lockout::{Attempt, LockoutState, MaxFailedAttempts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Wrong,
    Correct,
    Unlock,
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec(
        prop_oneof![
            4 => Just(Event::Wrong),
            2 => Just(Event::Correct),
            1 => Just(Event::Unlock),
        ],
        0..40,
    )
}

/// The events since the last unlock.
fn since_unlock(history: &[Event]) -> &[Event] {
    history
        .rsplit(|e| *e == Event::Unlock)
        .next()
        .unwrap_or_default()
}

/// Locked iff, since the last unlock, some run of failures not interrupted by a
/// correct attempt reached the threshold: the failure that reaches it locks, a
/// correct attempt before that resets the run, and nothing but an unlock ends a
/// lock.
fn model_locked(history: &[Event], threshold: usize) -> bool {
    since_unlock(history)
        .split(|e| *e == Event::Correct)
        .any(|run| run.len() >= threshold)
}

/// Attempts since the last reset (an unlock or an accepted correct attempt); while
/// locked, every attempt counts.
fn model_failures(history: &[Event], threshold: usize) -> usize {
    let resets_at = |i: usize| match history.get(i) {
        Some(Event::Unlock) => true,
        Some(Event::Correct) => history
            .get(..i)
            .is_some_and(|before| !model_locked(before, threshold)),
        _ => false,
    };
    match (0..history.len()).rev().find(|i| resets_at(*i)) {
        Some(reset) => history.len() - reset - 1,
        None => history.len(),
    }
}

fn step(state: LockoutState, event: Event, max: MaxFailedAttempts) -> (LockoutState, bool, bool) {
    match event {
        Event::Unlock => (state.unlock(), false, false),
        Event::Wrong | Event::Correct => {
            let attempt = if event == Event::Wrong {
                Attempt::WrongCredentials
            } else {
                Attempt::CorrectCredentials
            };
            let outcome = state.record(attempt, max);
            (outcome.state, outcome.accepted, outcome.newly_locked)
        }
    }
}

proptest! {
    #[test]
    fn an_account_is_locked_iff_the_threshold_of_consecutive_failures_was_reached_since_the_last_reset(
        history in events(),
        threshold in 1_u8..=5,
    ) {
        let max = MaxFailedAttempts::new(threshold)?;
        let t = usize::from(threshold);
        let mut state = LockoutState::default();
        for (i, event) in history.iter().enumerate() {
            state = step(state, *event, max).0;
            let prefix = &history[..=i];
            prop_assert_eq!(state.is_locked(), model_locked(prefix, t), "after {:?}", prefix);
            prop_assert_eq!(
                usize::try_from(state.consecutive_failures())?,
                model_failures(prefix, t),
                "after {:?}", prefix
            );
            let restored = LockoutState::from_parts(state.consecutive_failures(), state.is_locked());
            prop_assert_eq!(restored, state);
        }
    }

    #[test]
    fn only_a_correct_attempt_on_an_unlocked_account_is_accepted(
        history in events(),
        threshold in 1_u8..=5,
    ) {
        let max = MaxFailedAttempts::new(threshold)?;
        let t = usize::from(threshold);
        let mut state = LockoutState::default();
        for (i, event) in history.iter().enumerate() {
            let accepted;
            (state, accepted, _) = step(state, *event, max);
            let locked_before = model_locked(&history[..i], t);
            prop_assert_eq!(
                accepted,
                *event == Event::Correct && !locked_before,
                "{:?} after {:?}", event, &history[..i]
            );
        }
    }

    #[test]
    fn no_attempt_ever_unlocks_a_locked_account(
        history in events(),
        attempts in proptest::collection::vec(any::<bool>(), 1..10),
        threshold in 1_u8..=5,
    ) {
        let max = MaxFailedAttempts::new(threshold)?;
        let mut state = history
            .iter()
            .fold(LockoutState::default(), |s, e| step(s, *e, max).0);
        // Lock it if the history did not.
        while !state.is_locked() {
            state = state.record(Attempt::WrongCredentials, max).state;
        }
        for correct in attempts {
            let attempt = if correct { Attempt::CorrectCredentials } else { Attempt::WrongCredentials };
            let outcome = state.record(attempt, max);
            prop_assert!(outcome.state.is_locked());
            prop_assert!(!outcome.accepted);
            prop_assert!(!outcome.newly_locked);
            state = outcome.state;
        }
        let unlocked = state.unlock();
        prop_assert!(!unlocked.is_locked());
        prop_assert_eq!(unlocked.consecutive_failures(), 0);
    }

    #[test]
    fn newly_locked_is_reported_exactly_once_per_lock_episode(
        history in events(),
        threshold in 1_u8..=5,
    ) {
        let max = MaxFailedAttempts::new(threshold)?;
        let t = usize::from(threshold);
        let mut state = LockoutState::default();
        let mut reports_in_episode = 0_usize;
        let mut segment_start = 0;
        for (i, event) in history.iter().enumerate() {
            if *event == Event::Unlock {
                let segment = &history[segment_start..i];
                prop_assert_eq!(reports_in_episode, usize::from(model_locked(segment, t)), "{:?}", segment);
                reports_in_episode = 0;
                segment_start = i + 1;
            }
            let was_locked = state.is_locked();
            let newly_locked;
            (state, _, newly_locked) = step(state, *event, max);
            prop_assert_eq!(newly_locked, !was_locked && state.is_locked());
            reports_in_episode += usize::from(newly_locked);
        }
        let segment = &history[segment_start..];
        prop_assert_eq!(reports_in_episode, usize::from(model_locked(segment, t)), "{:?}", segment);
    }
}
