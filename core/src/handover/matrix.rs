//! The permission matrix of a handover: per section none, read or read+write, plus
//! whether the link holder may download the document.
//!
//! Write implies read by construction ([`SectionAccess::Write`] is one level, not a
//! flag beside read). The matrix turns a reference into the [`MatrixView`] a link
//! holder may see — sections without read are absent, not empty — and decides
//! updates: an update is accepted only when every section it touches is writable,
//! otherwise it is rejected whole and the error names the sections.
//!
//! ```
//! use zeugnis_core::matrix::{PermissionMatrix, SectionAccess, SectionUpdate, MatrixError};
//! use zeugnis_core::reference::{Section, SectionContent};
//!
//! let matrix = PermissionMatrix::none()
//!     .with(Section::Performance, SectionAccess::Write)
//!     .with(Section::Personal, SectionAccess::Read);
//! let update = SectionUpdate::new()
//!     .set(Section::Performance, SectionContent::new("1")?)
//!     .set(Section::Personal, SectionContent::new("…")?);
//! assert_eq!(
//!     matrix.authorize_update(update).unwrap_err(),
//!     MatrixError::NotWritable { sections: vec![Section::Personal] },
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use crate::reference::{ReferenceContent, Section, SectionContent};

/// What a link holder may do with one section.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SectionAccess {
    /// Neither shown nor returned.
    #[default]
    None,
    /// Shown, not changeable.
    Read,
    /// Shown and changeable (read+write).
    Write,
}

impl SectionAccess {
    /// Whether the section is shown.
    #[must_use]
    pub const fn can_read(self) -> bool {
        matches!(self, SectionAccess::Read | SectionAccess::Write)
    }

    /// Whether the section may be changed.
    #[must_use]
    pub const fn can_write(self) -> bool {
        matches!(self, SectionAccess::Write)
    }
}

/// Per-section access and the download flag of a handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PermissionMatrix {
    access: [SectionAccess; 17],
    download: bool,
}

impl PermissionMatrix {
    /// Nothing readable, no download.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            access: [SectionAccess::None; 17],
            download: false,
        }
    }

    /// The usual handover to a supervisor for the assessment: the ratings,
    /// qualifications and achievements to write; what they rest on (the
    /// person, the period, the position and tasks, the text) to read; HR's
    /// internal remarks (`further`) hidden; no download.
    #[must_use]
    pub fn supervisor_assessment() -> Self {
        let mut m = Self::none();
        for s in Section::ALL {
            m.set(
                s,
                match s {
                    Section::Performance
                    | Section::Conduct
                    | Section::Qualifications
                    | Section::Achievements => SectionAccess::Write,
                    Section::Further => SectionAccess::None,
                    _ => SectionAccess::Read,
                },
            );
        }
        m
    }

    /// Everything but HR's internal remarks (`further`) to read, nothing to
    /// write, and the download (every printed section is readable).
    #[must_use]
    pub fn read_everything() -> Self {
        let mut m = Self::none().with_download(true);
        for s in Section::ALL {
            if s != Section::Further {
                m.set(s, SectionAccess::Read);
            }
        }
        m
    }

    /// The same matrix with `section` set to `access`.
    #[must_use]
    pub fn with(mut self, section: Section, access: SectionAccess) -> Self {
        self.set(section, access);
        self
    }

    /// The same matrix with the download flag set.
    #[must_use]
    pub const fn with_download(mut self, allowed: bool) -> Self {
        self.download = allowed;
        self
    }

    /// Sets one section's access.
    pub fn set(&mut self, section: Section, access: SectionAccess) {
        if let Some(slot) = self.access.get_mut(section.index()) {
            *slot = access;
        }
    }

    /// The access to one section.
    #[must_use]
    pub fn access(&self, section: Section) -> SectionAccess {
        self.access
            .get(section.index())
            .copied()
            .unwrap_or_default()
    }

    /// The same matrix with every write downgraded to read (for a reference that
    /// can no longer be edited, or a read-only tenant).
    #[must_use]
    pub fn read_only(mut self) -> Self {
        for a in &mut self.access {
            if *a == SectionAccess::Write {
                *a = SectionAccess::Read;
            }
        }
        self
    }

    /// The sections the downloadable document shows that this matrix does not let
    /// the holder read. A handover that allows download must let them read all of
    /// [`Section::DOCUMENT`], or the PDF would show what the screen hides.
    #[must_use]
    pub fn unreadable_document_sections(&self) -> Vec<Section> {
        Section::DOCUMENT
            .into_iter()
            .filter(|s| !self.access(*s).can_read())
            .collect()
    }

    /// Whether the link holder may download the document. Only this flag decides;
    /// section access does not (see [`PermissionMatrix::unreadable_document_sections`]
    /// for the rule that keeps the two consistent when a handover is made).
    #[must_use]
    pub const fn may_download(&self) -> bool {
        self.download
    }

    /// The readable sections, in form order.
    pub fn readable(&self) -> impl Iterator<Item = Section> + '_ {
        Section::ALL
            .into_iter()
            .filter(|s| self.access(*s).can_read())
    }

    /// The writable sections, in form order.
    pub fn writable(&self) -> impl Iterator<Item = Section> + '_ {
        Section::ALL
            .into_iter()
            .filter(|s| self.access(*s).can_write())
    }

    /// Each section with its access, in form order.
    pub fn iter(&self) -> impl Iterator<Item = (Section, SectionAccess)> + '_ {
        Section::ALL.into_iter().map(|s| (s, self.access(s)))
    }

    /// What the link holder may see of `content`: readable sections only. A
    /// readable section without content is present and empty; an unreadable one is
    /// absent.
    #[must_use]
    pub fn view(&self, content: &ReferenceContent) -> MatrixView {
        let sections = self
            .readable()
            .map(|s| (s, content.get(s).cloned().unwrap_or_default()))
            .collect();
        MatrixView {
            sections,
            matrix: *self,
        }
    }

    /// Decides an update: accepted only when every touched section is writable.
    ///
    /// # Errors
    /// [`MatrixError::NotWritable`] naming every touched section that is not
    /// writable, in form order; nothing of the update is accepted then.
    pub fn authorize_update(&self, update: SectionUpdate) -> Result<AuthorizedUpdate, MatrixError> {
        let refused: Vec<Section> = update
            .changes
            .keys()
            .copied()
            .filter(|s| !self.access(*s).can_write())
            .collect();
        if refused.is_empty() {
            Ok(AuthorizedUpdate {
                changes: update.changes,
            })
        } else {
            Err(MatrixError::NotWritable { sections: refused })
        }
    }
}

impl serde::Serialize for PermissionMatrix {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Repr {
            sections: BTreeMap<Section, SectionAccess>,
            download: bool,
        }
        Repr {
            sections: self.iter().collect(),
            download: self.download,
        }
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for PermissionMatrix {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Repr {
            #[serde(default)]
            sections: BTreeMap<Section, SectionAccess>,
            #[serde(default)]
            download: bool,
        }
        let r = Repr::deserialize(d)?;
        let mut m = PermissionMatrix::none().with_download(r.download);
        for (s, a) in r.sections {
            m.set(s, a);
        }
        Ok(m)
    }
}

/// What a link holder sees: the readable sections only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixView {
    sections: BTreeMap<Section, SectionContent>,
    matrix: PermissionMatrix,
}

impl MatrixView {
    /// The content of a readable section; `None` for a section the holder may not
    /// read.
    #[must_use]
    pub fn get(&self, section: Section) -> Option<&SectionContent> {
        self.sections.get(&section)
    }

    /// The visible sections with their content and whether each is writable.
    pub fn sections(&self) -> impl Iterator<Item = (Section, &SectionContent, bool)> {
        self.sections
            .iter()
            .map(|(s, c)| (*s, c, self.matrix.access(*s).can_write()))
    }

    /// Whether the holder may download the document.
    #[must_use]
    pub const fn may_download(&self) -> bool {
        self.matrix.download
    }
}

/// Changes to some sections of a reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SectionUpdate {
    changes: BTreeMap<Section, SectionContent>,
}

impl SectionUpdate {
    /// An empty update.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The same update also setting `section` to `content`.
    #[must_use]
    pub fn set(mut self, section: Section, content: SectionContent) -> Self {
        self.changes.insert(section, content);
        self
    }

    /// The sections the update touches.
    pub fn touched(&self) -> impl Iterator<Item = Section> + '_ {
        self.changes.keys().copied()
    }
}

impl FromIterator<(Section, SectionContent)> for SectionUpdate {
    fn from_iter<I: IntoIterator<Item = (Section, SectionContent)>>(iter: I) -> Self {
        Self {
            changes: iter.into_iter().collect(),
        }
    }
}

/// An update the matrix accepted; only [`PermissionMatrix::authorize_update`] makes
/// one, so code holding it knows the check happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedUpdate {
    changes: BTreeMap<Section, SectionContent>,
}

impl AuthorizedUpdate {
    /// The accepted changes.
    pub fn changes(&self) -> impl Iterator<Item = (Section, &SectionContent)> {
        self.changes.iter().map(|(s, c)| (*s, c))
    }

    /// Applies the changes to `content`, returning `(section, before, after)` for
    /// each changed section (for the change log).
    pub fn apply_to(
        self,
        content: &mut ReferenceContent,
    ) -> Vec<(Section, Option<SectionContent>, SectionContent)> {
        self.changes
            .into_iter()
            .filter_map(|(s, new)| {
                let before = content.get(s).cloned();
                if before.as_ref() == Some(&new) {
                    return None;
                }
                content.set(s, new.clone());
                Some((s, before, new))
            })
            .collect()
    }
}

/// An update the matrix refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatrixError {
    /// Some touched sections are not writable; nothing was changed.
    #[error("no change was saved: you may not edit {}", SectionList(sections))]
    NotWritable {
        /// The refused sections, in form order.
        sections: Vec<Section>,
    },
}

struct SectionList<'a>(&'a [Section]);

impl std::fmt::Display for SectionList<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "\"{}\"", s.label_de())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(text: &str) -> SectionContent {
        SectionContent::new(text).unwrap()
    }

    #[test]
    fn unreadable_sections_are_absent_and_readable_empty_ones_present() {
        let mut c = ReferenceContent::default();
        c.set(Section::Result, content("Zeugnistext"));
        c.set(Section::Performance, content("Note 1"));
        let m = PermissionMatrix::none()
            .with(Section::Performance, SectionAccess::Read)
            .with(Section::Conduct, SectionAccess::Write);
        let v = m.view(&c);
        assert_eq!(v.get(Section::Result), None);
        assert_eq!(v.get(Section::Performance), Some(&content("Note 1")));
        assert_eq!(v.get(Section::Conduct), Some(&SectionContent::default()));
        let listed: Vec<_> = v.sections().map(|(s, _, w)| (s, w)).collect();
        assert_eq!(
            listed,
            vec![(Section::Performance, false), (Section::Conduct, true)]
        );
    }

    #[test]
    fn the_refusal_names_every_forbidden_section_in_german() {
        let m = PermissionMatrix::none().with(Section::Tasks, SectionAccess::Write);
        let err = m
            .authorize_update(
                SectionUpdate::new()
                    .set(Section::Result, content("x"))
                    .set(Section::Tasks, content("y"))
                    .set(Section::Personal, content("z")),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no change was saved: you may not edit \"Persönliche Daten\", \"Ergebnis\""
        );
    }

    #[test]
    fn applying_returns_before_and_after_and_skips_unchanged_sections() {
        let mut c = ReferenceContent::default();
        c.set(Section::Tasks, content("alt"));
        c.set(Section::Training, content("gleich"));
        let m = PermissionMatrix::none()
            .with(Section::Tasks, SectionAccess::Write)
            .with(Section::Training, SectionAccess::Write);
        let accepted = m
            .authorize_update(
                SectionUpdate::new()
                    .set(Section::Tasks, content("neu"))
                    .set(Section::Training, content("gleich")),
            )
            .unwrap();
        let log = accepted.apply_to(&mut c);
        assert_eq!(
            log,
            vec![(Section::Tasks, Some(content("alt")), content("neu"))]
        );
        assert_eq!(c.get(Section::Tasks), Some(&content("neu")));
    }

    #[test]
    fn the_presets_keep_the_internal_remarks_hidden_and_the_download_consistent() {
        let assess = PermissionMatrix::supervisor_assessment();
        assert!(assess.access(Section::Performance).can_write());
        assert!(assess.access(Section::Conduct).can_write());
        assert!(!assess.access(Section::Result).can_write());
        assert!(assess.access(Section::Result).can_read());
        assert!(!assess.access(Section::Further).can_read());
        assert!(!assess.may_download());
        let read = PermissionMatrix::read_everything();
        assert_eq!(read.writable().count(), 0);
        assert!(!read.access(Section::Further).can_read());
        assert!(read.may_download());
        assert!(read.unreadable_document_sections().is_empty());
    }
}
