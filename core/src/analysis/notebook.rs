//! Scripts and notebooks into cells, and the `parameters` cell (spec §8.2, §8.3, §8.6).
//!
//! Ploomber reads every script with `jupytext.reads(text, fmt=ext)`; this module
//! implements the subset of jupytext that decides which cell is the parameters cell:
//!
//! * format detection (`detect_format`): a YAML header's
//!   `jupyter.jupytext.text_representation.format_name` decides; otherwise, scanning
//!   lines outside string literals, an unindented `# %%`/`#%%` marker (or an nbconvert
//!   `# In[ ]:`/`# <codecell>` marker) means **percent**; then vim (`# {{{`) or VS Code
//!   (`# region`) folding markers (light with those markers), two lines of 20 `#`
//!   (sphinx, `.py`), R spin `#'` lines (`.R`/`.r`); else the extension's default:
//!   **light** for `.py`/`.R`/`.r`, R Markdown for `.Rmd`;
//! * percent cells (markers recognised when indented too, as jupytext's reader does),
//!   light cells (`# +` … `# -`), R Markdown chunks (`` ```{r tags=c("parameters")} ``),
//!   spin chunks (`#+ tags=c("parameters")`), and `.ipynb` JSON;
//! * cell metadata on marker lines: `key=value` pairs with JSON or Python-literal values
//!   (`tags=["parameters"]`, `tags=['parameters']`, `tags = [...]`) or a JSON object
//!   (`{"tags": ["parameters"]}`); `tags=[parameters]` and `# %% [parameters]` are not
//!   tags; a cell type in brackets (`[markdown]`, `[raw]`) is honoured;
//! * cells tagged `injected-parameters` or `debugging-settings` are dropped, and the
//!   parameters cell is the first remaining cell (of any type) whose tags hold
//!   `parameters`; tags that are not a list of strings are an error, as nbformat
//!   validation makes jupytext fail on them.
//!
//! Only what the analysis needs is modelled: untagged text outside explicit cells is
//! kept as opaque cells (their exact jupytext boundaries do not matter), and cell
//! sources keep commented magics commented (jupytext would uncomment them; the
//! Python analyser ignores magic lines either way).
use super::python_cell::blank_magics;
use super::{AnalysisError, AnalysisResult};
use rustpython_parser::ast::{self, Constant, Expr};
use rustpython_parser::Parse;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The language a notebook's code is analysed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Language {
    Python,
    R,
    /// Any other kernel language (lower-cased), e.g. `julia`.
    Other(String),
}

/// The first cell tagged `parameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsCell {
    /// The cell's text as jupytext gives it (marker line removed, trailing blank lines trimmed).
    pub source: String,
    /// 1-based line of the file where the cell's code starts (for `.ipynb`, the line of
    /// the cell's `"source"` key when it can be found, else 1).
    pub first_line: usize,
    /// True when the parameters cell is the last non-empty cell (Ploomber fails at render).
    pub is_last_cell: bool,
}

/// What the loader needs to know about one script or notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookInfo {
    pub language: Language,
    pub params: Option<ParamsCell>,
}

/// Reads a script or notebook. `ext` is the file extension without the dot, exactly as
/// on disk (`py`, `R`, `r`, `Rmd`, `ipynb`).
///
/// For an `.ipynb` without kernelspec/language_info metadata the language is guessed
/// like Ploomber does: code that parses as Python and holds no `<-` is Python,
/// anything else is an error (use [`read_notebook_with_kernelspec`] when the task
/// declares `kernelspec_name`).
pub fn read_notebook(text: &str, ext: &str) -> AnalysisResult<NotebookInfo> {
    read_notebook_with_kernelspec(text, ext, None)
}

/// Like [`read_notebook`], for a task that declares `kernelspec_name`: for `.ipynb`
/// files the kernel decides the language (`ir` → R, anything else → Python, as
/// Ploomber fills the kernelspec when it does not import the kernel). Scripts always
/// take their language from the extension.
pub fn read_notebook_with_kernelspec(
    text: &str,
    ext: &str,
    kernelspec_name: Option<&str>,
) -> AnalysisResult<NotebookInfo> {
    let (language, cells) = match ext {
        "ipynb" => read_ipynb(text, kernelspec_name)?,
        "py" => (Language::Python, read_script(text, ScriptKind::Python)),
        "R" | "r" => (Language::R, read_script(text, ScriptKind::R)),
        "Rmd" | "rmd" => (Language::R, read_script(text, ScriptKind::Rmd)),
        other => {
            return Err(AnalysisError::new(format!(
                "unsupported notebook extension '.{other}' (expected .py, .R, .r, .Rmd or .ipynb)"
            )))
        }
    };
    validate_tags(&cells, if ext == "ipynb" { 0 } else { 1 })?;
    Ok(NotebookInfo {
        language,
        params: find_params(cells),
    })
}

/// One cell as far as the analysis is concerned.
#[derive(Debug, Clone)]
struct Cell {
    tags: Option<Value>,
    source: String,
    first_line: usize,
}

impl Cell {
    fn untagged(source: String, first_line: usize) -> Cell {
        Cell {
            tags: None,
            source,
            first_line,
        }
    }
}

/// Python's `tag in cell.metadata['tags']` (tags are validated to be a list of strings).
fn has_tag(tags: &Option<Value>, tag: &str) -> bool {
    match tags {
        Some(Value::Array(items)) => items.iter().any(|t| t.as_str() == Some(tag)),
        _ => false,
    }
}

/// jupytext validates notebooks with nbformat: `tags` must be a list of strings
/// (`# %% tags="parameters"` fails with "'parameters' is not of type 'array'").
fn validate_tags(cells: &[Cell], marker_offset: usize) -> AnalysisResult<()> {
    for cell in cells {
        let Some(tags) = &cell.tags else { continue };
        let valid = matches!(tags, Value::Array(items) if items.iter().all(Value::is_string));
        if !valid {
            return Err(AnalysisError::new(format!(
                "Failed to read the notebook: cell tags must be a list of strings, got {tags}"
            ))
            .at_line(cell.first_line.saturating_sub(marker_offset).max(1))
            .with_hint("write tags=[\"parameters\"]"));
        }
    }
    Ok(())
}

fn find_params(mut cells: Vec<Cell>) -> Option<ParamsCell> {
    // Ploomber removes the first cell tagged with each of these
    for tag in ["injected-parameters", "debugging-settings"] {
        if let Some(i) = cells.iter().position(|c| has_tag(&c.tags, tag)) {
            cells.remove(i);
        }
    }
    let idx = cells.iter().position(|c| has_tag(&c.tags, "parameters"))?;
    // Ploomber's check at render: the last cell with code (or the first cell when all
    // are empty) is tagged `parameters`
    let last = cells
        .iter()
        .rev()
        .find(|c| !c.source.trim().is_empty())
        .or(cells.first());
    let is_last_cell = last.is_some_and(|c| has_tag(&c.tags, "parameters"));
    let cell = cells.swap_remove(idx);
    Some(ParamsCell {
        source: cell.source,
        first_line: cell.first_line,
        is_last_cell,
    })
}

// ---------------------------------------------------------------------------------
// Scripts

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScriptKind {
    Python,
    R,
    Rmd,
}

/// The jupytext formats this module distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Percent,
    Light,
    /// Light format with vim folding markers `# {{{` / `# }}}`.
    LightVim,
    /// Light format with VS Code region markers `# region` / `# endregion`.
    LightRegion,
    RMarkdown,
    Spin,
    /// Formats without cell metadata (sphinx, nomarker...): no cell can be tagged.
    NoMetadata,
}

fn read_script(text: &str, kind: ScriptKind) -> Vec<Cell> {
    let lines: Vec<&str> = text.lines().collect();
    match detect_format(&lines, kind) {
        Format::Percent => read_percent(&lines, kind),
        Format::Light => read_light(&lines, kind, &LIGHT_MARKERS),
        Format::LightVim => read_light(&lines, kind, &VIM_MARKERS),
        Format::LightRegion => read_light(&lines, kind, &REGION_MARKERS),
        Format::RMarkdown => read_rmd(&lines),
        Format::Spin => read_spin(&lines),
        Format::NoMetadata => vec![Cell::untagged(text.to_string(), 1)],
    }
}

/// Tracks whether a line starts inside a string literal (jupytext's `StringParser`):
/// Python triple-quoted strings span lines, single-quoted ones do not; R strings may
/// span lines; `#` outside strings starts a comment.
struct StringTracker {
    python: bool,
    open: Option<(char, bool)>, // (quote, triple)
}

impl StringTracker {
    fn new(python: bool) -> Self {
        StringTracker { python, open: None }
    }

    fn is_quoted(&self) -> bool {
        self.open.is_some()
    }

    fn read_line(&mut self, line: &str) {
        if self.open.is_none() && line.trim_start().starts_with('#') {
            return;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match self.open {
                None if c == '#' => break,
                None if c == '"' || c == '\'' => {
                    let triple =
                        self.python && chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                    self.open = Some((c, triple));
                    i += if triple { 3 } else { 1 };
                    continue;
                }
                Some(_) if c == '\\' => {
                    i += 2;
                    continue;
                }
                Some((q, triple)) if c == q => {
                    if !triple {
                        self.open = None;
                    } else if chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q) {
                        self.open = None;
                        i += 3;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if self.python {
            if let Some((_, false)) = self.open {
                self.open = None;
            }
        }
    }
}

/// jupytext's `guess_format` for scripts (see the module docs).
fn detect_format(lines: &[&str], kind: ScriptKind) -> Format {
    if let Some(name) = header_format_name(lines, kind) {
        match name.as_str() {
            "percent" | "hydrogen" => return Format::Percent,
            "light" => return Format::Light,
            "rmarkdown" => return Format::RMarkdown,
            "spin" => return Format::Spin,
            "sphinx" | "nomarker" => return Format::NoMetadata,
            _ => {}
        }
    }
    if kind == ScriptKind::Rmd {
        return Format::RMarkdown;
    }
    let mut tracker = StringTracker::new(kind == ScriptKind::Python);
    let (mut vim, mut region, mut twenty_hash, mut spin) = (false, false, 0, false);
    for line in lines {
        tracker.read_line(line);
        if tracker.is_quoted() {
            continue;
        }
        if is_percent_detection_marker(line) {
            return Format::Percent;
        }
        if let Some(rest) = line.strip_prefix('#') {
            let rest_trimmed = rest.trim_start();
            vim |= rest_trimmed.starts_with("{{{");
            region |= rest_trimmed.starts_with("region");
            if kind == ScriptKind::Python {
                let hashes = rest.strip_prefix(' ').unwrap_or(rest).trim_end();
                if hashes.len() >= 19 && hashes.chars().all(|c| c == '#') {
                    twenty_hash += 1;
                }
            }
            spin |= kind == ScriptKind::R && rest.starts_with('\'');
        }
    }
    if vim {
        Format::LightVim
    } else if region {
        Format::LightRegion
    } else if twenty_hash >= 2 {
        Format::NoMetadata
    } else if spin {
        Format::Spin
    } else {
        Format::Light
    }
}

/// `^#( %%|%%)$`, `^#( %%|%%)\s` or `^#( <codecell>| In\[[0-9 ]*\]:?)` (unindented).
fn is_percent_detection_marker(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('#') else {
        return false;
    };
    let after_space = rest.strip_prefix(' ');
    for candidate in [Some(rest), after_space].into_iter().flatten() {
        if let Some(tail) = candidate.strip_prefix("%%") {
            if tail.is_empty() || tail.starts_with(char::is_whitespace) {
                return true;
            }
        }
    }
    if let Some(rest) = after_space {
        if rest.starts_with("<codecell>") {
            return true;
        }
        if let Some(tail) = rest.strip_prefix("In[") {
            if let Some(end) = tail.find(']') {
                return tail[..end].chars().all(|c| c.is_ascii_digit() || c == ' ');
            }
        }
    }
    false
}

/// The `format_name` of a jupytext YAML header (`# ---` … `# ---` in scripts, `---` …
/// `---` in R Markdown), if the file starts with one.
fn header_format_name(lines: &[&str], kind: ScriptKind) -> Option<String> {
    let mut iter = lines.iter().enumerate().peekable();
    // a shebang or an encoding line may precede the header
    while let Some((_, line)) = iter.peek() {
        if line.starts_with("#!") || (line.starts_with('#') && line.contains("coding")) {
            iter.next();
        } else {
            break;
        }
    }
    let (_, first) = iter.next()?;
    let uncomment = |line: &str| -> Option<String> {
        if kind == ScriptKind::Rmd {
            return Some(line.to_string());
        }
        let rest = line.strip_prefix('#')?;
        Some(rest.strip_prefix(' ').unwrap_or(rest).to_string())
    };
    if uncomment(first)?.trim_end() != "---" {
        return None;
    }
    let mut yaml = String::new();
    for (_, line) in iter {
        let line = uncomment(line)?;
        if line.trim_end() == "---" {
            let docs = yaml_rust2::YamlLoader::load_from_str(&yaml).ok()?;
            let doc = docs.first()?;
            return doc["jupyter"]["jupytext"]["text_representation"]["format_name"]
                .as_str()
                .map(str::to_string);
        }
        yaml.push_str(&line);
        yaml.push('\n');
    }
    None
}

/// Joins lines into a cell source, trimming trailing blank lines.
fn join_source(lines: &[&str]) -> String {
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    lines[..end].join("\n")
}

/// Removes the comment prefix (`# ` or `#`) of markdown/raw cell lines.
fn uncomment_lines(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            l.strip_prefix("# ")
                .or_else(|| l.strip_prefix('#'))
                .unwrap_or(l)
                .to_string()
        })
        .collect()
}

/// A cell made of `lines[start..end]` (0-based line indices of the file).
fn make_cell(
    lines: &[&str],
    start: usize,
    end: usize,
    metadata: Option<Map<String, Value>>,
) -> Cell {
    let body = &lines[start.min(end)..end];
    let mut tags = None;
    let mut commented = false;
    if let Some(mut metadata) = metadata {
        tags = metadata.remove("tags");
        commented = matches!(
            metadata.get("cell_type").and_then(Value::as_str),
            Some("markdown" | "raw" | "md")
        );
    }
    let source = if commented {
        let owned = uncomment_lines(body);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        join_source(&refs)
    } else {
        join_source(body)
    };
    Cell {
        tags,
        source,
        first_line: start + 1,
    }
}

/// `^\s*#\s*%%(%*)\s(.*)$` → the options after `%%`; `^\s*#\s*(%%|<codecell>|In[..]:?)\s*$` → "".
fn percent_marker(line: &str) -> Option<&str> {
    let t = line.trim_start().strip_prefix('#')?.trim_start();
    if let Some(rest) = t.strip_prefix("%%") {
        if rest
            .trim_start_matches('%')
            .starts_with(char::is_whitespace)
        {
            return Some(rest);
        }
        return rest.trim().is_empty().then_some("");
    }
    if let Some(rest) = t.strip_prefix("<codecell>") {
        return rest.trim().is_empty().then_some("");
    }
    let rest = t.strip_prefix("In[")?;
    let end = rest.find(']')?;
    if !rest[..end].chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return None;
    }
    let tail = &rest[end + 1..];
    let tail = tail.strip_prefix(':').unwrap_or(tail);
    tail.trim().is_empty().then_some("")
}

fn read_percent(lines: &[&str], kind: ScriptKind) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut tracker = StringTracker::new(kind == ScriptKind::Python);
    // (line index of the cell's first content line, metadata)
    let mut current: (usize, Option<Map<String, Value>>) = (0, None);
    for (i, line) in lines.iter().enumerate() {
        if tracker.is_quoted() {
            tracker.read_line(line);
            continue;
        }
        tracker.read_line(line);
        if let Some(options) = percent_marker(line) {
            let (start, metadata) =
                std::mem::replace(&mut current, (i + 1, Some(options_to_metadata(options))));
            cells.push(make_cell(lines, start, i, metadata));
        }
    }
    let (start, metadata) = current;
    cells.push(make_cell(lines, start, lines.len(), metadata));
    cells
}

/// Start and end markers of the light format and its folding-marker variants.
struct LightMarkers {
    start: &'static str,
    end: &'static str,
    /// `# +` must not be preceded by spaces before `#`, but may be followed by any
    /// number of spaces; the end marker of the default format is exactly `# -`.
    default: bool,
}

const LIGHT_MARKERS: LightMarkers = LightMarkers {
    start: "+",
    end: "-",
    default: true,
};
const VIM_MARKERS: LightMarkers = LightMarkers {
    start: "{{{",
    end: "}}}",
    default: false,
};
const REGION_MARKERS: LightMarkers = LightMarkers {
    start: "region",
    end: "endregion",
    default: false,
};

/// `^#\s*<start>(.*)$` → the options.
fn light_start<'l>(line: &'l str, markers: &LightMarkers) -> Option<&'l str> {
    line.strip_prefix('#')?
        .trim_start()
        .strip_prefix(markers.start)
}

/// `^# <end>\s*$` (default markers, `endofcell` may change `-`) or `^#\s*<end>\s*$`.
fn light_end(line: &str, markers: &LightMarkers, end: &str) -> bool {
    let rest = if markers.default {
        line.strip_prefix("# ")
    } else {
        line.strip_prefix('#').map(str::trim_start)
    };
    rest.and_then(|r| r.strip_prefix(end))
        .is_some_and(|r| r.trim().is_empty())
}

fn read_light(lines: &[&str], kind: ScriptKind, markers: &LightMarkers) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut tracker = StringTracker::new(kind == ScriptKind::Python);
    // explicit cell being read: (first content line, metadata, end marker)
    let mut explicit: Option<(usize, Map<String, Value>, String)> = None;
    let mut implicit_start = 0;
    for (i, line) in lines.iter().enumerate() {
        if tracker.is_quoted() {
            tracker.read_line(line);
            continue;
        }
        tracker.read_line(line);
        if let Some(options) = light_start(line, markers) {
            // the previous explicit cell (or implicit text) ends here
            match explicit.take() {
                Some((start, metadata, _)) => {
                    cells.push(make_cell(lines, start, i, Some(metadata)))
                }
                None => cells.push(make_cell(lines, implicit_start, i, None)),
            }
            let metadata = options_to_metadata(options);
            let end = if markers.default {
                metadata
                    .get("endofcell")
                    .and_then(Value::as_str)
                    .unwrap_or(markers.end)
                    .to_string()
            } else {
                markers.end.to_string()
            };
            explicit = Some((i + 1, metadata, end));
            continue;
        }
        if let Some((start, _, end)) = &explicit {
            if light_end(line, markers, end) {
                let (start, metadata) = (*start, explicit.take().map(|e| e.1));
                cells.push(make_cell(lines, start, i, metadata));
                implicit_start = i + 1;
            }
        }
    }
    match explicit {
        Some((start, metadata, _)) => {
            cells.push(make_cell(lines, start, lines.len(), Some(metadata)))
        }
        None => cells.push(make_cell(lines, implicit_start, lines.len(), None)),
    }
    cells
}

/// R Markdown: `` ```{r options} `` … `` ``` `` chunks; other text is markdown.
fn read_rmd(lines: &[&str]) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut in_plain_block = false;
    let mut chunk: Option<(usize, Map<String, Value>)> = None;
    let mut text_start = 0;
    for (i, line) in lines.iter().enumerate() {
        if let Some((start, _)) = &chunk {
            if line
                .strip_prefix("```")
                .is_some_and(|r| r.trim().is_empty())
            {
                let start = *start;
                let metadata = chunk.take().map(|c| c.1);
                cells.push(make_cell(lines, start, i, metadata));
                text_start = i + 1;
            }
            continue;
        }
        let Some(fence) = line.strip_prefix("```") else {
            continue;
        };
        if in_plain_block {
            if fence.trim().is_empty() {
                in_plain_block = false;
            }
            continue;
        }
        let trimmed = fence.trim_end();
        if let Some(options) = trimmed.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            cells.push(make_cell(lines, text_start, i, None));
            chunk = Some((i + 1, rmd_options_to_metadata(options)));
        } else {
            in_plain_block = true;
        }
    }
    match chunk {
        Some((start, metadata)) => cells.push(make_cell(lines, start, lines.len(), Some(metadata))),
        None => cells.push(make_cell(lines, text_start, lines.len(), None)),
    }
    cells
}

/// knitr spin: `#'` lines are markdown, `#+ options` starts a code chunk that ends at
/// the next blank line, `#'` line or `#+` line.
fn read_spin(lines: &[&str]) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut i = 0;
    let mut text_start = 0;
    while i < lines.len() {
        if let Some(options) = lines[i].strip_prefix("#+") {
            cells.push(make_cell(lines, text_start, i, None));
            let metadata = rmd_options_to_metadata(&format!("r {options}"));
            let start = i + 1;
            let mut end = start;
            while end < lines.len()
                && !lines[end].trim().is_empty()
                && !lines[end].starts_with("#'")
                && !lines[end].starts_with("#+")
            {
                end += 1;
            }
            cells.push(make_cell(lines, start, end, Some(metadata)));
            text_start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    cells.push(make_cell(lines, text_start, lines.len(), None));
    cells
}

// ---------------------------------------------------------------------------------
// Cell metadata on marker lines

/// jupytext's `options_to_metadata` for percent and light markers: a title, an optional
/// `[markdown]`/`[raw]` cell type, then `key=value` pairs or a JSON object.
fn options_to_metadata(options: &str) -> Map<String, Value> {
    let (title, mut metadata) = text_to_metadata(options);
    for cell_type in ["markdown", "raw", "md"] {
        if title.contains(&format!("[{cell_type}]")) {
            metadata.insert("cell_type".into(), Value::String(cell_type.into()));
            break;
        }
    }
    metadata
}

fn text_to_metadata(text: &str) -> (String, Map<String, Value>) {
    let text = text.trim();
    let curly = text.find('{');
    let equal = text.find('=');
    let key_value = match (curly, equal) {
        (None, _) => true,
        (Some(c), Some(e)) => e < c,
        (Some(_), None) => false,
    };
    if key_value {
        let mut words: Vec<&str> = match equal {
            Some(e) => {
                let mut words: Vec<&str> = text[..e].split(' ').collect();
                while words.last().is_some_and(|w| w.is_empty()) {
                    words.pop();
                }
                words.pop();
                words
            }
            None => text.split(' ').collect(),
        };
        while words
            .last()
            .is_some_and(|w| w.trim().is_empty() || w.starts_with('.'))
        {
            words.pop();
        }
        let title = words.join(" ");
        let rest = &text[title.len()..];
        return (title, parse_key_equal_value(rest));
    }
    let c = curly.unwrap_or(0);
    let metadata = match serde_json::from_str::<Value>(&text[c..]) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    (text[..c].trim().to_string(), metadata)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn is_metadata_key(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// `key1=value1 key2=value2`, parsed from the right like jupytext: each value is the
/// longest suffix that is valid JSON or a Python literal.
fn parse_key_equal_value(text: &str) -> Map<String, Value> {
    let text = text.trim();
    let mut result = Map::new();
    if text.is_empty() {
        return result;
    }
    let last_space = text.rfind(' ');
    let tail = &text[last_space.map_or(0, |p| p + 1)..];
    if !text.starts_with("--") && is_identifier(tail) {
        if let Some(p) = last_space.filter(|p| *p > 0) {
            result = parse_key_equal_value(&text[..p]);
        }
        result.insert(tail.to_string(), Value::Null);
        return result;
    }
    let mut search_end = text.len();
    while let Some(eq) = text[..search_end].rfind('=') {
        search_end = eq;
        let before = text[..eq].trim_end();
        let prev_space = before.rfind(' ');
        let key = text[prev_space.map_or(0, |p| p + 1)..eq].trim();
        if !is_metadata_key(key) {
            continue;
        }
        let Some(value) = relaxed_loads(&text[eq + 1..]) else {
            continue;
        };
        if let Some(p) = prev_space.filter(|p| *p > 0) {
            result = parse_key_equal_value(&text[..p]);
        }
        result.insert(key.to_string(), value);
        return result;
    }
    result.insert(
        "incorrectly_encoded_metadata".into(),
        Value::String(text.to_string()),
    );
    result
}

/// JSON, else a Python literal (`ast.literal_eval`).
fn relaxed_loads(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(v) = serde_json::from_str(text) {
        return Some(v);
    }
    super::check_python_depth(text).ok()?;
    let expr = ast::Expr::parse(text, "<metadata>").ok()?;
    python_literal_to_json(&expr)
}

fn python_literal_to_json(expr: &Expr) -> Option<Value> {
    Some(match expr {
        Expr::Constant(c) => match &c.value {
            Constant::None => Value::Null,
            Constant::Bool(b) => Value::Bool(*b),
            Constant::Str(s) => Value::String(s.clone()),
            Constant::Int(i) => Value::from(i64::try_from(i).ok()?),
            Constant::Float(f) => Value::from(*f),
            _ => return None,
        },
        Expr::List(l) => Value::Array(
            l.elts
                .iter()
                .map(python_literal_to_json)
                .collect::<Option<_>>()?,
        ),
        Expr::Tuple(t) => Value::Array(
            t.elts
                .iter()
                .map(python_literal_to_json)
                .collect::<Option<_>>()?,
        ),
        Expr::Set(s) => Value::Array(
            s.elts
                .iter()
                .map(python_literal_to_json)
                .collect::<Option<_>>()?,
        ),
        Expr::Dict(d) => {
            let mut map = Map::new();
            for (k, v) in d.keys.iter().zip(&d.values) {
                let Value::String(k) = python_literal_to_json(k.as_ref()?)? else {
                    return None;
                };
                map.insert(k, python_literal_to_json(v)?);
            }
            Value::Object(map)
        }
        Expr::UnaryOp(u) if matches!(u.op, ast::UnaryOp::USub) => {
            match python_literal_to_json(&u.operand)? {
                Value::Number(n) => {
                    if let Some(i) = n.as_i64() {
                        Value::from(-i)
                    } else {
                        Value::from(-n.as_f64()?)
                    }
                }
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// R Markdown chunk options (`r label, tags=c("parameters"), echo=FALSE`).
fn rmd_options_to_metadata(options: &str) -> Map<String, Value> {
    let mut metadata = Map::new();
    let options = options.trim();
    // the language, then the other options
    let Some(split) = options.find(|c: char| c.is_whitespace() || c == ',') else {
        return metadata;
    };
    let others = options[split..].trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    for (i, item) in split_top_level(others).into_iter().enumerate() {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        match item.find('=') {
            Some(eq) => {
                let name = item[..eq].trim();
                let value = item[eq + 1..].trim();
                metadata.insert(name.to_string(), r_value_to_json(value));
            }
            None if i == 0 => {
                metadata.insert("name".into(), Value::String(item.to_string()));
            }
            None => {}
        }
    }
    metadata
}

/// Splits on commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `c("a", "b")`/`list(...)` → array, `"a"` → string, `TRUE`/`FALSE`, else the raw text.
fn r_value_to_json(value: &str) -> Value {
    let unquote = |s: &str| -> Option<String> {
        let s = s.trim();
        let q = s.chars().next()?;
        if (q == '"' || q == '\'') && s.len() >= 2 && s.ends_with(q) {
            Some(s[1..s.len() - 1].to_string())
        } else {
            None
        }
    };
    for prefix in ["c(", "list("] {
        if let Some(inner) = value.strip_prefix(prefix).and_then(|v| v.strip_suffix(')')) {
            let items: Option<Vec<Value>> = split_top_level(inner)
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| unquote(s).map(Value::String))
                .collect();
            if let Some(items) = items {
                return Value::Array(items);
            }
        }
    }
    match value {
        "TRUE" | "T" => Value::Bool(true),
        "FALSE" | "F" => Value::Bool(false),
        _ => unquote(value).map_or_else(|| Value::String(value.to_string()), Value::String),
    }
}

// ---------------------------------------------------------------------------------
// .ipynb

#[derive(Deserialize)]
struct RawNotebook<'a> {
    #[serde(borrow, default)]
    cells: Vec<&'a RawValue>,
    #[serde(default)]
    metadata: Value,
}

#[derive(Deserialize)]
struct RawCell<'a> {
    #[serde(default)]
    cell_type: String,
    #[serde(default)]
    metadata: Value,
    #[serde(borrow, default)]
    source: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Source {
    Text(String),
    Lines(Vec<String>),
}

fn json_error(e: serde_json::Error) -> AnalysisError {
    let line = e.line();
    let err = AnalysisError::new(format!("invalid notebook JSON: {e}"));
    if line > 0 {
        err.at_line(line)
    } else {
        err
    }
}

fn read_ipynb(text: &str, kernelspec_name: Option<&str>) -> AnalysisResult<(Language, Vec<Cell>)> {
    let nb: RawNotebook = serde_json::from_str(text).map_err(json_error)?;
    let base = text.as_ptr() as usize;
    // line of a byte offset, computed incrementally (cells come in file order)
    let mut line_cursor = (0usize, 1usize);
    let mut line_at = |offset: usize| {
        let (pos, line) = line_cursor;
        let (from, mut line) = if offset >= pos { (pos, line) } else { (0, 1) };
        line += text.as_bytes()[from..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        line_cursor = (offset, line);
        line
    };
    let mut cells = Vec::with_capacity(nb.cells.len());
    let mut code = String::new();
    for raw in &nb.cells {
        let cell: RawCell = serde_json::from_str(raw.get()).map_err(json_error)?;
        let (source, first_line) = match cell.source {
            Some(raw_source) => {
                let src = match serde_json::from_str(raw_source.get()).map_err(json_error)? {
                    Source::Text(s) => s,
                    Source::Lines(lines) => lines.concat(),
                };
                let raw_text = raw_source.get();
                let mut offset = raw_text.as_ptr() as usize - base;
                if raw_text.starts_with('[') {
                    if let Some(q) = raw_text.find('"') {
                        offset += q;
                    }
                }
                (src, line_at(offset))
            }
            None => (String::new(), 1),
        };
        if cell.cell_type == "code" {
            code.push_str(&source);
            code.push('\n');
        }
        let tags = cell.metadata.get("tags").cloned();
        let lines: Vec<&str> = source.lines().collect();
        cells.push(Cell {
            tags,
            source: join_source(&lines),
            first_line,
        });
    }
    let language = match kernelspec_name {
        Some("ir") => Language::R,
        Some(_) => Language::Python,
        None => notebook_language(&nb.metadata, &code)?,
    };
    Ok((language, cells))
}

fn notebook_language(metadata: &Value, code: &str) -> AnalysisResult<Language> {
    let declared = metadata
        .pointer("/kernelspec/language")
        .and_then(Value::as_str)
        .or_else(|| {
            metadata
                .pointer("/language_info/name")
                .and_then(Value::as_str)
        });
    if let Some(language) = declared {
        return Ok(match language.to_lowercase().as_str() {
            "python" => Language::Python,
            "r" => Language::R,
            other => Language::Other(other.to_string()),
        });
    }
    let blanked = blank_magics(code);
    let code = blanked.as_deref().unwrap_or(code);
    if !code.contains("<-")
        && super::check_python_depth(code).is_ok()
        && ast::Suite::parse(code, "<notebook>").is_ok()
    {
        return Ok(Language::Python);
    }
    Err(AnalysisError::new(
        "Notebook does not contain kernelspec metadata and kernelspec_name was not \
         specified, and its code does not look like Python",
    )
    .with_hint("add kernelspec metadata to the notebook or set kernelspec_name in the task"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(text: &str, ext: &str) -> Option<ParamsCell> {
        read_notebook(text, ext).unwrap().params
    }

    fn source(text: &str, ext: &str) -> String {
        params(text, ext).expect("a parameters cell").source
    }

    #[test]
    fn language_from_extension() {
        assert_eq!(read_notebook("", "py").unwrap().language, Language::Python);
        for ext in ["R", "r", "Rmd"] {
            assert_eq!(read_notebook("", ext).unwrap().language, Language::R);
        }
        assert!(read_notebook("", "jl").is_err());
    }

    #[test]
    fn percent_tag_spellings() {
        for marker in [
            "# %% tags=[\"parameters\"]",
            "# %% tags=['parameters']",
            "# %% tags = [\"parameters\"]",
            "# %% {\"tags\": [\"parameters\"]}",
            "#%% tags=[\"parameters\"]",
            "# %% Title tags=[\"parameters\"]",
            "# %% tags=[\"x\", \"parameters\"] other=1",
        ] {
            let text = format!("# %%\nimport a\n\n{marker}\nupstream = ['a']\n\n\n# %%\nx = 1\n");
            let p = params(&text, "py").unwrap_or_else(|| panic!("{marker}"));
            assert_eq!(p.source, "upstream = ['a']", "{marker}");
            assert_eq!(p.first_line, 5, "{marker}");
            assert!(!p.is_last_cell);
        }
    }

    #[test]
    fn percent_non_tags() {
        for marker in [
            "# %% tags=[parameters]",
            "# %% [parameters]",
            "# %% parameters",
        ] {
            let text = format!("# %%\nx = 1\n{marker}\nupstream = ['a']\n");
            assert_eq!(params(&text, "py"), None, "{marker}");
        }
    }

    #[test]
    fn percent_detection_ignores_strings_and_indentation() {
        // inside a string: not a marker, so the file is light
        let text = "s = '''\n# %%\n'''\n# + tags=[\"parameters\"]\nupstream = None\n# -\n";
        assert_eq!(source(text, "py"), "upstream = None");
        // an indented marker does not make the file percent...
        let text = "def f():\n    # %% tags=[\"parameters\"]\n    pass\n";
        assert_eq!(params(text, "py"), None);
        // ...but once it is percent, indented markers split cells
        let text = "# %%\nx = 1\n  # %% tags=[\"parameters\"]\nupstream = None\n";
        assert_eq!(source(text, "py"), "upstream = None");
    }

    #[test]
    fn percent_marker_in_string_does_not_split() {
        let text =
            "# %% tags=[\"parameters\"]\nupstream = None\ns = \"\"\"\n# %% tags=[\"x\"]\n\"\"\"\n";
        assert_eq!(
            source(text, "py"),
            "upstream = None\ns = \"\"\"\n# %% tags=[\"x\"]\n\"\"\""
        );
    }

    #[test]
    fn percent_markdown_cell_can_be_the_parameters_cell() {
        let text = "# %% [markdown] tags=[\"parameters\"]\n# upstream = None\n# %%\nx = 1\n";
        assert_eq!(source(text, "py"), "upstream = None");
    }

    #[test]
    fn light_cells() {
        let text = "import a\n\n# + tags=[\"parameters\"]\nupstream = ['a']\n\n\n# -\n\nx = 1\n";
        let p = params(text, "py").unwrap();
        assert_eq!(p.source, "upstream = ['a']");
        assert_eq!(p.first_line, 4);
        assert!(!p.is_last_cell);
        // the same metadata spellings
        for marker in [
            "# + tags=['parameters']",
            "# + tags = [\"parameters\"]",
            "# + {\"tags\": [\"parameters\"]}",
        ] {
            let text = format!("{marker}\nupstream = None\n# -\n");
            assert_eq!(source(&text, "py"), "upstream = None", "{marker}");
        }
        // ends at the next explicit cell too
        let text = "# + tags=[\"parameters\"]\nupstream = None\n\n# +\nx = 1\n";
        assert_eq!(source(text, "py"), "upstream = None");
        // and at end of file
        assert!(
            params("# + tags=[\"parameters\"]\nupstream = None\n\n", "py")
                .unwrap()
                .is_last_cell
        );
    }

    #[test]
    fn light_edge_cases_match_jupytext() {
        // expected values checked against jupytext as installed with Ploomber 0.23.3
        let cases = [
            (
                "x=1\n# + tags=[\"parameters\"]\nupstream = None\n# -\n",
                Some("upstream = None"),
            ),
            (
                "# + tags=[\"parameters\"]\nupstream = None\n# + tags=[\"x\"]\ny=2\n# -\n",
                Some("upstream = None"),
            ),
            (
                "# + tags=[\"parameters\"]\nupstream = None\ns='''\n# -\n'''\n# -\nz=1\n",
                Some("upstream = None\ns='''\n# -\n'''"),
            ),
            (
                "#+tags=[\"parameters\"]\nupstream = None\n# -\n",
                Some("upstream = None"),
            ),
            (
                "# + tags=[\"parameters\"] endofcell=\"--\"\nupstream = None\n# -\nx=1\n# --\ny=2\n",
                Some("upstream = None\n# -\nx=1"),
            ),
            ("  # + tags=[\"parameters\"]\nupstream = None\n# -\n", None),
            ("# %%tags=[\"parameters\"]\nupstream = None\n", None),
            (
                "# regional\n# + tags=[\"parameters\"]\nupstream = None\n# -\n",
                None,
            ),
        ];
        for (text, expected) in cases {
            let got = params(text, "py").map(|p| p.source);
            assert_eq!(got.as_deref(), expected, "{text:?}");
        }
    }

    #[test]
    fn light_untagged_code_is_not_a_parameters_cell() {
        assert_eq!(params("upstream = ['a']\n", "py"), None);
        assert_eq!(params("# +\nupstream = ['a']\n# -\n", "py"), None);
    }

    #[test]
    fn light_markers_are_comments_in_percent_files() {
        let text = "# + tags=[\"parameters\"]\nupstream = ['a']\n# -\n# %%\nx = 1\n";
        assert_eq!(params(text, "py"), None);
    }

    #[test]
    fn r_scripts_use_the_same_markers() {
        let text = "# %% tags=[\"parameters\"]\nupstream <- list('a')\n# %%\nx <- 1\n";
        assert_eq!(source(text, "R"), "upstream <- list('a')");
        let text = "# + tags=[\"parameters\"]\nupstream <- NULL\n# -\n";
        assert_eq!(source(text, "r"), "upstream <- NULL");
    }

    #[test]
    fn header_decides_the_format() {
        let header = "# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n#       extension: .py\n#       format_name: percent\n# ---\n";
        // percent by header even without any `# %%` line: `# +` is then a comment
        let text = format!("{header}# + tags=[\"parameters\"]\nupstream = None\n");
        assert_eq!(params(&text, "py"), None);
        let light = header.replace("percent", "light");
        let text = format!(
            "{light}\n# + tags=[\"parameters\"]\nupstream = None\n# -\n# %% tags=[\"x\"]\n"
        );
        let p = params(&text, "py").unwrap();
        assert_eq!(p.source, "upstream = None");
        assert_eq!(p.first_line, 10);
    }

    #[test]
    fn rmarkdown_chunks() {
        for header in [
            "```{r tags=c(\"parameters\")}",
            "```{r, tags=c(\"parameters\")}",
            "```{r label, tags=c('parameters')}",
        ] {
            let text = format!("---\ntitle: x\n---\n\nSome text\n\n{header}\nupstream <- NULL\n```\n\n```{{r}}\nx <- 1\n```\n");
            let p = params(&text, "Rmd").unwrap_or_else(|| panic!("{header}"));
            assert_eq!(p.source, "upstream <- NULL");
            assert_eq!(p.first_line, 8);
            assert!(!p.is_last_cell);
        }
        assert_eq!(
            params("```{r parameters}\nupstream <- NULL\n```\n", "Rmd"),
            None
        );
        // a plain fenced block is not a chunk
        let text = "```\n```{r tags=c(\"parameters\")}\n```\n";
        assert_eq!(params(text, "Rmd"), None);
        // text after the chunk makes it not the last cell
        let text = "```{r tags=c(\"parameters\")}\nupstream <- NULL\n```\nThe end.\n";
        assert!(!params(text, "Rmd").unwrap().is_last_cell);
    }

    #[test]
    fn first_tagged_cell_wins_and_injected_cells_are_dropped() {
        let text = "# %% tags=[\"injected-parameters\"]\nupstream = ['inj']\n# %% tags=[\"parameters\"]\nupstream = ['a']\n# %% tags=[\"parameters\"]\nupstream = ['b']\n# %%\nx = 1\n";
        let p = params(text, "py").unwrap();
        assert_eq!(p.source, "upstream = ['a']");
        assert!(!p.is_last_cell);
        let text = "# %% tags=[\"parameters\"]\nupstream = ['a']\n# %% tags=[\"debugging-settings\"]\nx = 1\n";
        assert!(params(text, "py").unwrap().is_last_cell);
    }

    #[test]
    fn tags_must_be_a_list() {
        let text = "x = 1\n# %% tags=\"parameters\"\nupstream = None\n";
        let e = read_notebook(text, "py").unwrap_err();
        assert!(e.message.contains("must be a list of strings"), "{e}");
        assert_eq!(e.line, Some(2));
        let text = "```{r tags=\"parameters\"}\nupstream <- NULL\n```\n";
        assert!(read_notebook(text, "Rmd").is_err());
        // a tuple is a list
        assert_eq!(
            source("# %% tags=('parameters',)\nupstream = None\n", "py"),
            "upstream = None"
        );
    }

    #[test]
    fn leading_blank_lines_are_kept() {
        let p = params(
            "# %% tags=[\"parameters\"]\n\nupstream = None\n\n# %%\n",
            "py",
        )
        .unwrap();
        assert_eq!(p.source, "\nupstream = None");
        assert_eq!(p.first_line, 2);
        assert!(p.is_last_cell);
    }

    #[test]
    fn last_cell_is_any_tagged_last_cell() {
        let text = "# %% tags=[\"parameters\"]\nupstream = None\n# %% tags=[\"parameters\"]\nx = 1\n\n# %%\n";
        let p = params(text, "py").unwrap();
        assert_eq!(p.source, "upstream = None");
        assert!(p.is_last_cell);
    }

    #[test]
    fn last_cell_detection() {
        let text = "# %%\nx = 1\n# %% tags=[\"parameters\"]\nupstream = None\n\n# %%\n\n";
        assert!(params(text, "py").unwrap().is_last_cell);
        let text = "# %% tags=[\"parameters\"]\nupstream = None\n# %% [markdown]\n# notes\n";
        assert!(!params(text, "py").unwrap().is_last_cell);
    }

    #[test]
    fn spin_chunks() {
        let text = "#' A title\n#+ tags=c(\"parameters\")\nupstream <- list('a')\n\nx <- 1\n";
        let p = params(text, "R").unwrap();
        assert_eq!(p.source, "upstream <- list('a')");
        assert_eq!(p.first_line, 3);
        assert!(!p.is_last_cell);
    }

    #[test]
    fn sphinx_files_have_no_tagged_cells() {
        let bar = "#".repeat(20);
        let text =
            format!("{bar}\n# text\n{bar}\n# + tags=[\"parameters\"]\nupstream = None\n# -\n");
        assert_eq!(params(&text, "py"), None);
    }

    fn ipynb(cells: &str, metadata: &str) -> String {
        format!("{{\n \"cells\": [{cells}],\n \"metadata\": {metadata},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n")
    }

    #[test]
    fn ipynb_cells_tags_and_lines() {
        let cells = r##"
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Title"]
  },
  {
   "cell_type": "code",
   "metadata": {"tags": ["parameters"]},
   "source": [
    "upstream = ['a']\n",
    "product = None\n"
   ]
  },
  {
   "cell_type": "code",
   "metadata": {},
   "source": "x = 1"
  }"##;
        let text = ipynb(
            cells,
            r#"{"kernelspec": {"language": "Python", "name": "python3"}}"#,
        );
        let info = read_notebook(&text, "ipynb").unwrap();
        assert_eq!(info.language, Language::Python);
        let p = info.params.unwrap();
        assert_eq!(p.source, "upstream = ['a']\nproduct = None");
        assert_eq!(
            text.lines().nth(p.first_line - 1).unwrap().trim(),
            "\"upstream = ['a']\\n\","
        );
        assert!(!p.is_last_cell);
    }

    #[test]
    fn ipynb_language() {
        let code = r#"{"cell_type": "code", "metadata": {}, "source": "x <- 1"}"#;
        let lang = |meta: &str| read_notebook(&ipynb(code, meta), "ipynb").map(|i| i.language);
        assert_eq!(
            lang(r#"{"kernelspec": {"language": "R"}}"#).unwrap(),
            Language::R
        );
        assert_eq!(
            lang(r#"{"language_info": {"name": "Julia"}}"#).unwrap(),
            Language::Other("julia".into())
        );
        assert!(lang("{}")
            .unwrap_err()
            .message
            .starts_with("Notebook does not contain kernelspec metadata"));
        let py =
            r#"{"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "x = 1"]}"#;
        assert_eq!(
            read_notebook(&ipynb(py, "{}"), "ipynb").unwrap().language,
            Language::Python
        );
        let with_kernel = read_notebook_with_kernelspec(&ipynb(code, "{}"), "ipynb", Some("ir"));
        assert_eq!(with_kernel.unwrap().language, Language::R);
    }

    #[test]
    fn ipynb_invalid_json_has_line() {
        let e = read_notebook("{\n \"cells\": [\n  {,\n]}", "ipynb").unwrap_err();
        assert!(e.message.starts_with("invalid notebook JSON"), "{e}");
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn ipynb_without_parameters() {
        let code = r#"{"cell_type": "code", "metadata": {"tags": ["other"]}, "source": "upstream = None"}"#;
        assert_eq!(
            read_notebook(&ipynb(code, "{}"), "ipynb").unwrap().params,
            None
        );
    }

    #[test]
    fn metadata_parsing() {
        let m = parse_key_equal_value("tags=[\"a\"] active=\"ipynb\" flag");
        assert_eq!(m["tags"], serde_json::json!(["a"]));
        assert_eq!(m["active"], serde_json::json!("ipynb"));
        assert_eq!(m["flag"], Value::Null);
        let m = parse_key_equal_value("tags=[parameters]");
        assert!(m.contains_key("incorrectly_encoded_metadata"));
        assert_eq!(text_to_metadata("[markdown] tags=['x']").0, "[markdown]");
        assert_eq!(
            rmd_options_to_metadata("r lbl, tags=c(\"a\", 'b'), echo=FALSE")["tags"],
            serde_json::json!(["a", "b"])
        );
        assert_eq!(
            rmd_options_to_metadata("r lbl")["name"],
            serde_json::json!("lbl")
        );
    }
}
