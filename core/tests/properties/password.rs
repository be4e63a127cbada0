//! Password policy: the seed and NIST presets, context words and the breached list.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::sample::select;
use zeugnis_core::password::{
    BreachedPasswords, ContextKind, Password, PasswordContext, PasswordPolicy, PasswordViolation,
};

// The generated passwords draw from these classes only, so the model can classify
// every character by table. ß is a lower-case letter (it has no single-character
// upper-case form in common use), so it counts as a letter and not as special.
const LOWER: &str = "abcdefghijklmnopqrstuvwxyzäöüß";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ";
const DIGITS: &str = "0123456789";
const SPECIAL: &str = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~€§°";

fn class(chars: &'static str) -> impl Strategy<Value = char> {
    select(chars.chars().collect::<Vec<_>>())
}

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![class(LOWER), class(UPPER), class(DIGITS), class(SPECIAL)]
}

fn non_letter() -> impl Strategy<Value = char> {
    prop_oneof![class(DIGITS), class(SPECIAL)]
}

fn letter() -> impl Strategy<Value = char> {
    prop_oneof![class(LOWER), class(UPPER)]
}

fn text(
    chars: impl Strategy<Value = char>,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = String> {
    proptest::collection::vec(chars, len).prop_map(|cs| cs.into_iter().collect())
}

fn password() -> impl Strategy<Value = String> {
    text(any_char(), 0..40)
}

fn is_letter(c: char) -> bool {
    LOWER.contains(c) || UPPER.contains(c)
}

/// A breached list that knows the given (lower-case) entries.
#[derive(Debug, Default)]
struct List(BTreeSet<String>);

impl BreachedPasswords for List {
    fn contains(&self, candidate: &str) -> bool {
        self.0.contains(candidate)
    }
}

/// Context words that are all too short to count.
fn no_context() -> PasswordContext {
    PasswordContext::new(["Xq"], None, "Qz")
}

fn violations(
    policy: &PasswordPolicy,
    pw: &str,
    ctx: &PasswordContext,
    list: &List,
) -> Vec<PasswordViolation> {
    match policy.check(&Password::new(pw), ctx, list) {
        Ok(()) => Vec::new(),
        Err(rejected) => rejected.violations().to_vec(),
    }
}

/// The password with leading and trailing non-letters removed.
fn model_core(pw: &str) -> String {
    pw.trim_matches(|c: char| !is_letter(c)).to_lowercase()
}

/// The same word with the case of some letters swapped.
fn recase(word: &str, flips: &[bool]) -> String {
    word.chars()
        .zip(flips.iter().chain(std::iter::repeat(&false)))
        .map(|(c, flip)| match (*flip, LOWER.contains(c)) {
            (false, _) => c.to_string(),
            (true, true) => c.to_uppercase().to_string(),
            (true, false) => c.to_lowercase().to_string(),
        })
        .collect()
}

/// Context words in the test are letters without ß, whose case can be swapped
/// one character for one.
fn context_word(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let chars = prop_oneof![class("abcdefghijklmnopqrstuvwxyzäöü"), class(UPPER),];
    proptest::collection::vec(chars, len).prop_map(|cs| cs.into_iter().collect())
}

fn context_kind() -> impl Strategy<Value = ContextKind> {
    select(vec![
        ContextKind::Name,
        ContextKind::Email,
        ContextKind::TenantName,
    ])
}

/// A context whose only word of three or more characters is `word`, standing
/// alone as the name, the e-mail local part or the tenant name.
fn context_of(word: &str, kind: ContextKind) -> PasswordContext {
    match kind {
        ContextKind::Name => PasswordContext::new([word], None, "Qz"),
        ContextKind::Email => PasswordContext::new(["Xq"], Some(&format!("{word}@qz.de")), "Qz"),
        _ => PasswordContext::new(["Xq"], None, word),
    }
}

/// A context holding `word` as one part of a longer name, e-mail address or
/// tenant name (the other parts are too short to count).
fn context_around(word: &str, kind: ContextKind) -> PasswordContext {
    match kind {
        ContextKind::Name => PasswordContext::new(["Xq", &format!("Xq-{word}")], None, "Qz"),
        ContextKind::Email => PasswordContext::new(["Xq"], Some(&format!("xq.{word}@qz.de")), "Qz"),
        _ => PasswordContext::new(["Xq"], None, &format!("Qz {word} AG")),
    }
}

proptest! {
    #[test]
    fn the_seed_preset_accepts_iff_eight_characters_with_all_four_classes(pw in password()) {
        let mut expected = Vec::new();
        if pw.chars().count() < 8 {
            expected.push(PasswordViolation::TooShort { min: 8 });
        }
        if !pw.chars().any(|c| LOWER.contains(c)) {
            expected.push(PasswordViolation::MissingLowercase);
        }
        if !pw.chars().any(|c| UPPER.contains(c)) {
            expected.push(PasswordViolation::MissingUppercase);
        }
        if !pw.chars().any(|c| DIGITS.contains(c)) {
            expected.push(PasswordViolation::MissingDigit);
        }
        if !pw.chars().any(|c| SPECIAL.contains(c)) {
            expected.push(PasswordViolation::MissingSpecial);
        }
        let got = violations(&PasswordPolicy::default(), &pw, &no_context(), &List::default());
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn the_nist_preset_accepts_iff_the_password_has_the_minimum_length(
        pw in password(),
        min in 8_u16..=20,
    ) {
        let policy = PasswordPolicy::nist(min)?;
        let expected = if pw.chars().count() < usize::from(min) {
            vec![PasswordViolation::TooShort { min }]
        } else {
            Vec::new()
        };
        prop_assert_eq!(violations(&policy, &pw, &no_context(), &List::default()), expected);
    }

    #[test]
    fn a_password_containing_a_context_word_in_any_case_is_refused_as_personal_data(
        word in context_word(3..=8),
        kind in context_kind(),
        flips in proptest::collection::vec(any::<bool>(), 8),
        prefix in text(any_char(), 0..6),
        suffix in text(any_char(), 0..6),
        nist in any::<bool>(),
        part_of_longer_text in any::<bool>(),
    ) {
        let policy = if nist { PasswordPolicy::nist(8)? } else { PasswordPolicy::default() };
        let pw = format!("{prefix}{}{suffix}", recase(&word, &flips));
        let context = if part_of_longer_text {
            context_around(&word, kind)
        } else {
            context_of(&word, kind)
        };
        let got = violations(&policy, &pw, &context, &List::default());
        prop_assert!(
            got.contains(&PasswordViolation::ContainsPersonalData(kind)),
            "{:?} in {:?}: {:?}", word, pw, got
        );
    }

    #[test]
    fn a_context_word_shorter_than_three_characters_is_ignored(
        word in context_word(1..=2),
        kind in context_kind(),
        pw in password(),
        flips in proptest::collection::vec(any::<bool>(), 2),
    ) {
        let pw = format!("{pw}{}", recase(&word, &flips));
        let got = violations(&PasswordPolicy::nist(8)?, &pw, &context_of(&word, kind), &List::default());
        prop_assert!(
            !got.iter().any(|v| matches!(v, PasswordViolation::ContainsPersonalData(_))),
            "{:?} in {:?}: {:?}", word, pw, got
        );
    }

    #[test]
    fn a_password_on_the_breached_list_is_refused_whatever_its_case(
        pw in password(),
        noise in proptest::collection::btree_set(text(letter(), 1..10), 0..5),
        nist in any::<bool>(),
    ) {
        let policy = if nist { PasswordPolicy::nist(8)? } else { PasswordPolicy::default() };
        let mut list = List(noise);
        list.0.insert(pw.to_lowercase());
        let got = violations(&policy, &pw, &no_context(), &list);
        prop_assert!(got.contains(&PasswordViolation::Breached), "{:?}: {:?}", pw, got);
    }

    #[test]
    fn a_password_whose_core_word_is_breached_is_refused(
        leading in text(non_letter(), 0..5),
        (first, middle, last) in (letter(), text(any_char(), 1..8), letter()),
        trailing in text(non_letter(), 0..5),
        nist in any::<bool>(),
    ) {
        let policy = if nist { PasswordPolicy::nist(8)? } else { PasswordPolicy::default() };
        let core = format!("{first}{middle}{last}");
        let pw = format!("{leading}{core}{trailing}");
        prop_assert_eq!(model_core(&pw), core.to_lowercase());
        let list = List([core.to_lowercase()].into_iter().collect());
        let got = violations(&policy, &pw, &no_context(), &list);
        prop_assert!(got.contains(&PasswordViolation::Breached), "{:?}: {:?}", pw, got);
    }

    #[test]
    fn a_password_with_neither_form_on_the_list_is_not_refused_as_breached(
        pw in password(),
        noise in proptest::collection::btree_set(text(letter(), 1..10), 0..5),
    ) {
        // Near misses: the password and its core word, each with one extra or one
        // missing character.
        let lower = pw.to_lowercase();
        let core = model_core(&pw);
        let mut list = List(noise.into_iter().map(|w| w.to_lowercase()).collect());
        for form in [&lower, &core] {
            let mut shorter = form.clone();
            shorter.pop();
            for miss in [format!("{form}x"), format!("x{form}"), shorter] {
                if miss != lower && miss != core {
                    list.0.insert(miss);
                }
            }
        }
        prop_assume!(!list.0.contains(&lower) && !list.0.contains(&core));
        let got = violations(&PasswordPolicy::nist(8)?, &pw, &no_context(), &list);
        prop_assert!(!got.contains(&PasswordViolation::Breached), "{:?}: {:?}", pw, got);
    }
}
