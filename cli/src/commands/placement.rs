//! Where each file of an export goes, decided from the role the backend declared for
//! it ([`FileRole`]), never from its name: without `--output` every file goes to the
//! target folder; `--output FILE` writes the main file as `FILE` and each companion
//! next to it (named with the suffix the backend declared); `--output -` prints the
//! main file. Files that belong in the target folder (scripts, supporting files, state)
//! make `--output` a usage error, since they cannot follow a single file.

use std::path::{Path, PathBuf};

use soopervisor_core::backend::{Export, FileRole, OutputFile};
use soopervisor_core::diagnostics::UserError;

/// What `--output` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output<'a> {
    /// No `--output`: the target folder.
    Folder,
    /// `--output -`.
    Stdout,
    /// `--output FILE`, already resolved against the working folder.
    File(&'a Path),
}

/// One file and where it is written.
#[derive(Debug)]
pub struct Placed<'a> {
    pub file: &'a OutputFile,
    /// Where the backend meant it to go (in the target folder).
    pub meant: PathBuf,
    /// Where it goes.
    pub path: PathBuf,
}

impl Placed<'_> {
    /// Whether the CLI prints "Wrote PATH" for it (not for bookkeeping files).
    pub fn announced(&self) -> bool {
        self.file.role() != FileRole::State
    }
}

/// Where the export goes.
#[derive(Debug)]
pub enum Placement<'a> {
    /// Print this file (`--output -`).
    Print(&'a OutputFile),
    /// Write these files.
    Write(Vec<Placed<'a>>),
}

/// The main file of `export`: exactly one file must declare [`FileRole::Main`] (a
/// backend bug otherwise, reported as such).
pub fn main_file(export: &Export) -> anyhow::Result<&OutputFile> {
    let mains: Vec<&OutputFile> = export
        .files
        .iter()
        .filter(|f| f.role() == FileRole::Main)
        .collect();
    match mains.as_slice() {
        [main] => Ok(main),
        [] => anyhow::bail!("the backend declared no main file among its files (a bug in the backend)"),
        many => anyhow::bail!(
            "the backend declared {} main files ({}); exactly one is expected (a bug in the backend)",
            many.len(),
            many.iter()
                .map(|f| f.path().display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Places every file of `export` for `output`.
pub fn place<'a>(
    export: &'a Export,
    target_dir: &Path,
    output: Output<'_>,
) -> anyhow::Result<Placement<'a>> {
    let main = main_file(export)?;
    let others = || export.files.iter().filter(move |f| !std::ptr::eq(*f, main));
    let staying: Vec<String> = others()
        .filter(|f| !f.role().follows_output())
        .map(|f| f.path().display().to_string())
        .collect();
    match output {
        Output::Folder => Ok(Placement::Write(
            export
                .files
                .iter()
                .map(|f| Placed {
                    file: f,
                    meant: target_dir.join(f.path()),
                    path: target_dir.join(f.path()),
                })
                .collect(),
        )),
        Output::Stdout => {
            if others().next().is_none() {
                return Ok(Placement::Print(main));
            }
            let hint = if staying.is_empty() {
                let companions: Vec<String> =
                    others().map(|f| f.path().display().to_string()).collect();
                format!(
                    "use --output FILE instead ({} then goes next to it), or drop --output",
                    companions.join(", ")
                )
            } else {
                "drop --output to write them into the target folder".to_string()
            };
            Err(
                UserError::new("--output - prints one file, but this backend writes several")
                    .with_hint(hint)
                    .into(),
            )
        }
        Output::File(dest) => {
            if !staying.is_empty() {
                return Err(UserError::new(
                    "--output names one file, but this backend writes several",
                )
                .with_hint(format!(
                    "drop --output to write them into the target folder ({} belong{} there)",
                    first_few(&staying),
                    if staying.len() == 1 { "s" } else { "" }
                ))
                .into());
            }
            let mut placed = vec![Placed {
                file: main,
                meant: target_dir.join(main.path()),
                path: dest.to_path_buf(),
            }];
            for f in others() {
                let to = companion_path(dest, f.companion_suffix().unwrap_or_default(), f.path());
                if to == dest || !is_file_path(dest) {
                    return Err(UserError::new(format!(
                        "--output {} cannot have {} written next to it",
                        dest.display(),
                        f.path().display()
                    ))
                    .with_hint("give --output a regular file name such as out/argo.yaml")
                    .into());
                }
                placed.push(Placed {
                    file: f,
                    meant: target_dir.join(f.path()),
                    path: to,
                });
            }
            Ok(Placement::Write(placed))
        }
    }
}

/// `a, b, c and 7 more`: a list short enough for one line.
fn first_few(names: &[String]) -> String {
    const SHOWN: usize = 3;
    if names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

/// Where a companion goes when the main file is written to `dest`: beside it, named
/// after `dest` plus the companion's declared `suffix`, with the companion's own
/// extension (`--output out/x.yaml`, `-templates`, `argo-templates.yaml`:
/// `out/x-templates.yaml`).
fn companion_path(dest: &Path, suffix: &str, file: &Path) -> PathBuf {
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = file
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    dest.with_file_name(format!("{stem}{suffix}{ext}"))
}

/// `dest` can hold a regular file: it is one, or does not exist yet (not a device
/// such as /dev/stdout or /dev/null, next to which nothing else can be written).
fn is_file_path(dest: &Path) -> bool {
    std::fs::metadata(dest).map_or(true, |m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(p: &Placement<'_>) -> Vec<String> {
        match p {
            Placement::Write(v) => v.iter().map(|f| f.path.display().to_string()).collect(),
            Placement::Print(f) => vec![format!("print {}", f.path().display())],
        }
    }

    #[test]
    fn a_companion_follows_under_its_declared_suffix_whatever_its_name() {
        // the companion's own name has nothing in common with the main file's
        let e = Export::new(vec![
            OutputFile::companion("parts/all.yml", "b", "-parts"),
            OutputFile::main("wf.yaml", "a"),
        ]);
        let p = place(&e, Path::new("/t"), Output::File(Path::new("/o/x.json"))).unwrap();
        assert_eq!(paths(&p), ["/o/x.json", "/o/x-parts.yml"]);
        let p = place(&e, Path::new("/t"), Output::Folder).unwrap();
        assert_eq!(paths(&p), ["/t/parts/all.yml", "/t/wf.yaml"]);
    }

    #[test]
    fn a_file_named_like_a_companion_but_declared_support_does_not_follow() {
        let e = Export::new(vec![
            OutputFile::main("argo.yaml", "a"),
            OutputFile::support("argo-templates.yaml", "b"),
        ]);
        let err = place(&e, Path::new("/t"), Output::File(Path::new("/o/x.yaml")))
            .unwrap_err()
            .downcast::<UserError>()
            .unwrap();
        assert_eq!(
            err.message,
            "--output names one file, but this backend writes several"
        );
        assert!(err
            .hint
            .unwrap()
            .contains("(argo-templates.yaml belongs there)"));
        let err = place(&e, Path::new("/t"), Output::Stdout)
            .unwrap_err()
            .downcast::<UserError>()
            .unwrap();
        assert_eq!(
            err.hint.as_deref(),
            Some("drop --output to write them into the target folder")
        );
    }

    #[test]
    fn stdout_prints_a_lone_main_file_and_suggests_file_for_companions() {
        let e = Export::new(vec![OutputFile::main("m.txt", "a")]);
        let p = place(&e, Path::new("/t"), Output::Stdout).unwrap();
        assert_eq!(paths(&p), ["print m.txt"]);
        let e = Export::new(vec![
            OutputFile::main("m.txt", "a"),
            OutputFile::companion("m-b.txt", "b", "-b"),
        ]);
        let err = place(&e, Path::new("/t"), Output::Stdout)
            .unwrap_err()
            .downcast::<UserError>()
            .unwrap();
        assert!(err.hint.unwrap().contains("--output FILE"));
    }

    #[test]
    fn long_lists_are_cut_short() {
        let names: Vec<String> = (0..5).map(|i| format!("jobs/{i}.sh")).collect();
        assert_eq!(
            first_few(&names),
            "jobs/0.sh, jobs/1.sh, jobs/2.sh and 2 more"
        );
        assert_eq!(first_few(&names[..2]), "jobs/0.sh, jobs/1.sh");
    }

    #[test]
    fn exactly_one_main_file_is_required() {
        let none = Export::new(vec![OutputFile::support("a", "")]);
        assert!(main_file(&none)
            .unwrap_err()
            .to_string()
            .contains("no main file"));
        let two = Export::new(vec![OutputFile::main("a", ""), OutputFile::main("b", "")]);
        assert!(main_file(&two)
            .unwrap_err()
            .to_string()
            .contains("2 main files"));
    }

    #[test]
    fn state_files_are_written_but_not_announced() {
        let e = Export::new(vec![
            OutputFile::main("submit.sh", "a").executable(),
            OutputFile::state("jobs.tsv", ""),
        ]);
        let Placement::Write(placed) = place(&e, Path::new("/t"), Output::Folder).unwrap() else {
            panic!("expected files")
        };
        let announced: Vec<bool> = placed.iter().map(Placed::announced).collect();
        assert_eq!(announced, [true, false]);
        assert!(placed[0].file.is_executable());
    }
}
