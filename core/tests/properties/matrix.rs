//! The handover permission matrix: what a link holder sees, changes and downloads.

use std::collections::BTreeMap;

use proptest::prelude::*;
use zeugnis_core::matrix::{MatrixError, PermissionMatrix, SectionAccess, SectionUpdate};
use zeugnis_core::reference::{ReferenceContent, Section, SectionContent};

use crate::strategies::{AccessModel, access_model, section_map};

fn build(model: &AccessModel, download: bool) -> PermissionMatrix {
    model.iter().fold(
        PermissionMatrix::none().with_download(download),
        |matrix, (section, access)| matrix.with(*section, *access),
    )
}

fn access_in(model: &AccessModel, section: Section) -> SectionAccess {
    model.get(&section).copied().unwrap_or_default()
}

fn readable_in(model: &AccessModel, section: Section) -> bool {
    access_in(model, section) != SectionAccess::None
}

fn writable_in(model: &AccessModel, section: Section) -> bool {
    access_in(model, section) == SectionAccess::Write
}

proptest! {
    #[test]
    fn an_update_is_accepted_iff_every_touched_section_is_writable(
        model in access_model(),
        download in any::<bool>(),
        changes in section_map(8),
    ) {
        let matrix = build(&model, download);
        let update: SectionUpdate = changes.clone().into_iter().collect();
        let refused: Vec<Section> = Section::ALL
            .into_iter()
            .filter(|s| changes.contains_key(s) && !writable_in(&model, *s))
            .collect();
        let expected = if refused.is_empty() {
            Ok(changes)
        } else {
            Err(MatrixError::NotWritable { sections: refused })
        };
        let got = matrix.authorize_update(update).map(|accepted| {
            accepted
                .changes()
                .map(|(s, c)| (s, c.clone()))
                .collect::<BTreeMap<_, _>>()
        });
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn a_view_holds_exactly_the_readable_sections(
        model in access_model(),
        download in any::<bool>(),
        stored in section_map(17),
    ) {
        let matrix = build(&model, download);
        let content: ReferenceContent = stored.clone().into_iter().collect();
        let view = matrix.view(&content);
        for section in Section::ALL {
            let expected = readable_in(&model, section)
                .then(|| stored.get(&section).cloned().unwrap_or_default());
            prop_assert_eq!(view.get(section).cloned(), expected, "{}", section);
        }
        let listed: Vec<(Section, SectionContent, bool)> =
            view.sections().map(|(s, c, w)| (s, c.clone(), w)).collect();
        let expected: Vec<(Section, SectionContent, bool)> = Section::ALL
            .into_iter()
            .filter(|s| readable_in(&model, *s))
            .map(|s| (s, stored.get(&s).cloned().unwrap_or_default(), writable_in(&model, s)))
            .collect();
        prop_assert_eq!(listed, expected);
    }

    #[test]
    fn writing_a_section_implies_reading_it(
        model in access_model(),
        download in any::<bool>(),
    ) {
        let matrix = build(&model, download);
        for section in Section::ALL {
            let access = matrix.access(section);
            prop_assert_eq!(access, access_in(&model, section));
            prop_assert!(!access.can_write() || access.can_read(), "{}", section);
            prop_assert_eq!(access.can_read(), readable_in(&model, section));
            prop_assert_eq!(access.can_write(), writable_in(&model, section));
        }
        let readable: Vec<Section> = matrix.readable().collect();
        let writable: Vec<Section> = matrix.writable().collect();
        prop_assert!(writable.iter().all(|s| readable.contains(s)));
        prop_assert_eq!(
            readable,
            Section::ALL.into_iter().filter(|s| readable_in(&model, *s)).collect::<Vec<_>>()
        );
        prop_assert_eq!(
            writable,
            Section::ALL.into_iter().filter(|s| writable_in(&model, *s)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_download_flag_alone_decides_about_download(
        model in access_model(),
        other_model in access_model(),
        download in any::<bool>(),
        stored in section_map(17),
    ) {
        let content: ReferenceContent = stored.into_iter().collect();
        let everything = Section::ALL
            .into_iter()
            .map(|s| (s, SectionAccess::Write))
            .collect::<AccessModel>();
        for m in [&model, &other_model, &everything, &AccessModel::new()] {
            let matrix = build(m, download);
            prop_assert_eq!(matrix.may_download(), download);
            prop_assert_eq!(matrix.view(&content).may_download(), download);
        }
    }

    #[test]
    fn applying_an_authorized_update_changes_only_the_touched_sections(
        model in access_model(),
        stored in section_map(17),
        changes in section_map(17),
    ) {
        // Make every touched section writable so that the update is accepted.
        let mut writable_model = model;
        for section in changes.keys() {
            writable_model.insert(*section, SectionAccess::Write);
        }
        let matrix = build(&writable_model, false);
        let mut content: ReferenceContent = stored.clone().into_iter().collect();
        let update: SectionUpdate = changes.clone().into_iter().collect();
        let accepted = matrix.authorize_update(update)?;
        let log = accepted.apply_to(&mut content);

        for section in Section::ALL {
            let expected = changes.get(&section).or_else(|| stored.get(&section));
            prop_assert_eq!(content.get(section), expected, "{}", section);
        }
        let expected_log: Vec<(Section, Option<SectionContent>, SectionContent)> = Section::ALL
            .into_iter()
            .filter_map(|s| {
                let new = changes.get(&s)?;
                let before = stored.get(&s);
                (before != Some(new)).then(|| (s, before.cloned(), new.clone()))
            })
            .collect();
        prop_assert_eq!(log, expected_log);
    }
}
