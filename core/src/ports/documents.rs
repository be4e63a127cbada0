//! Rendering references to PDF.

use crate::document::{Letter, LetterFormatting};

/// Why a letter could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The formatting cannot be applied (e.g. a logo the renderer cannot decode);
    /// the message says what to change and contains no letter content.
    #[error("the reference formatting cannot be used: {0}")]
    Formatting(String),
    /// The renderer failed; the message is for the log and contains no letter
    /// content.
    #[error("the document could not be rendered: {0}")]
    Failed(String),
}

/// Renders a [`Letter`] to an archivable PDF (PDF/A-2b) with embedded fonts and
/// extractable text.
///
/// Rendering is CPU-bound and synchronous: async callers run it on a blocking
/// pool. Implementations must treat every string of the letter and the
/// formatting as plain text, never as markup or code, and must not read files or
/// the network.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait DocumentRenderer: Send + Sync {
    /// The PDF file.
    ///
    /// # Errors
    /// [`RenderError::Formatting`] when the formatting cannot be applied,
    /// [`RenderError::Failed`] otherwise.
    fn render(
        &self,
        letter: &Letter,
        formatting: &LetterFormatting,
    ) -> Result<Vec<u8>, RenderError>;
}
