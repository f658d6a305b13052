//! Atomic output: every file is written to a temporary file in its destination folder
//! and renamed into place, so readers never see half a file; a batch of files is
//! prepared completely, and made durable, before the first rename.
//!
//! A file that already holds exactly the new contents and mode is left alone. The
//! rest of a batch goes through three phases. Staging writes the temporary files, in
//! parallel. Syncing makes them durable: one `fsync` per file for a small batch, one
//! `syncfs` per file system for a large one (a 10,000-script SLURM export would
//! otherwise wait for 10,000 journal commits one after the other). Renaming moves
//! them into place, in order.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use tempfile::NamedTempFile;

/// One file to write. The contents may be borrowed, so that writing a large export
/// never holds a second copy of it.
#[derive(Debug, Clone)]
pub struct PendingFile<'a> {
    pub path: PathBuf,
    pub contents: Cow<'a, [u8]>,
    pub executable: bool,
}

/// Batches of more files than this are synced per file system rather than per file.
const SYNC_PER_FILE_UP_TO: usize = 16;

/// Where one pending file goes.
enum Destination<'f, 'a> {
    /// A regular file (or none yet): replaced by renaming a temporary file over it.
    /// Carries the existing file's metadata, when there is one.
    Replace(&'f PendingFile<'a>, PathBuf, Option<std::fs::Metadata>),
    /// A device, FIFO or socket (`--output /dev/null`, `/dev/stdout`): written to,
    /// never replaced, since renaming over it would turn it into a plain file.
    WriteThrough(&'f PendingFile<'a>),
}

/// Writes every file atomically. All temporary files are written and made durable
/// first; only then are they renamed into place, so a failure while preparing leaves
/// the destination untouched (the temporary files are removed).
pub fn write_all(files: &[PendingFile<'_>]) -> anyhow::Result<()> {
    let destinations = files
        .iter()
        .map(destination)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut replaced = Vec::with_capacity(destinations.len());
    let mut direct = Vec::new();
    for d in destinations {
        match d {
            Destination::Replace(file, path, existing) => replaced.push((file, path, existing)),
            Destination::WriteThrough(file) => direct.push(file),
        }
    }

    let mut folders = HashSet::new();
    for (_, path, _) in &replaced {
        let dir = folder_of(path);
        if folders.insert(dir) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        }
    }
    // Files that already hold exactly the new contents and mode are left alone (a
    // re-export rewrites only what changed, and keeps the others' times).
    let changed: Vec<bool> = replaced
        .par_iter()
        .map(|(file, path, existing)| !already_written(file, path, existing.as_ref()))
        .collect();
    let replaced: Vec<_> = replaced
        .into_iter()
        .zip(changed)
        .filter_map(|((file, path, _), changed)| changed.then_some((file, path)))
        .collect();
    let sync_each = replaced.len() <= SYNC_PER_FILE_UP_TO;
    let staged = replaced
        .par_iter()
        .map(|(file, path)| stage(file, path, sync_each))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if !sync_each {
        sync_file_systems(&staged)?;
    }

    for file in direct {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&file.path)
            .and_then(|mut f| f.write_all(&file.contents))
            .with_context(|| format!("cannot write {}", file.path.display()))?;
    }
    for (tmp, (_, path)) in staged.into_iter().zip(&replaced) {
        tmp.persist(path).with_context(|| {
            format!("cannot move the new file into place at {}", path.display())
        })?;
    }
    Ok(())
}

/// Decides how `file` is written. A symlink to a regular file is followed: the file
/// it points to is replaced and the link kept.
fn destination<'f, 'a>(file: &'f PendingFile<'a>) -> anyhow::Result<Destination<'f, 'a>> {
    let Ok(own) = std::fs::symlink_metadata(&file.path) else {
        return Ok(Destination::Replace(file, file.path.clone(), None));
    };
    let is_link = own.file_type().is_symlink();
    let meta = if is_link {
        match std::fs::metadata(&file.path) {
            Ok(meta) => meta,
            // A dangling link: replaced by the new file, as before this writer.
            Err(_) => return Ok(Destination::Replace(file, file.path.clone(), None)),
        }
    } else {
        own
    };
    if meta.is_dir() {
        anyhow::bail!("cannot write {}: it is a folder", file.path.display());
    }
    if !meta.is_file() {
        return Ok(Destination::WriteThrough(file));
    }
    let path = if is_link {
        std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone())
    } else {
        file.path.clone()
    };
    Ok(Destination::Replace(file, path, Some(meta)))
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// True when the regular file at `path` (whose metadata is `existing`) already has
/// `file`'s contents and mode.
fn already_written(
    file: &PendingFile<'_>,
    path: &Path,
    existing: Option<&std::fs::Metadata>,
) -> bool {
    let Some(meta) = existing else {
        return false;
    };
    if meta.len() != file.contents.len() as u64 {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o7777 != mode(file) {
            return false;
        }
    }
    std::fs::read(path).is_ok_and(|old| old == *file.contents)
}

/// The permissions a written file gets.
#[cfg(unix)]
fn mode(file: &PendingFile<'_>) -> u32 {
    if file.executable {
        0o755
    } else {
        0o644
    }
}

/// Writes `file`'s contents to a new temporary file beside `path`, with its final
/// permissions; synced when `sync` is set.
fn stage(file: &PendingFile<'_>, path: &Path, sync: bool) -> anyhow::Result<NamedTempFile> {
    let dir = folder_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".soopervisor-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    tmp.write_all(&file.contents)
        .and_then(|_| {
            if sync {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .with_context(|| format!("cannot write {}", file.path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode(file)))
            .with_context(|| format!("cannot set the permissions of {}", file.path.display()))?;
    }
    Ok(tmp)
}

/// Makes every staged file durable with one `syncfs` per file system they are on.
#[cfg(target_os = "linux")]
fn sync_file_systems(staged: &[NamedTempFile]) -> anyhow::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let mut devices = HashSet::new();
    for tmp in staged {
        let device = tmp.as_file().metadata()?.dev();
        if devices.insert(device) {
            // SAFETY: the descriptor belongs to an open file that outlives the call.
            if unsafe { libc::syncfs(tmp.as_file().as_raw_fd()) } != 0 {
                return Err(std::io::Error::last_os_error()).with_context(|| {
                    format!(
                        "cannot flush the new files under {}",
                        folder_of(tmp.path()).display()
                    )
                });
            }
        }
    }
    Ok(())
}

/// Without `syncfs`, every staged file is synced on its own.
#[cfg(not(target_os = "linux"))]
fn sync_file_systems(staged: &[NamedTempFile]) -> anyhow::Result<()> {
    staged.par_iter().try_for_each(|tmp| {
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot flush {}", tmp.path().display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/argo.yaml");
        write_all(&[PendingFile {
            path: target.clone(),
            contents: b"hello".as_slice().into(),
            executable: false,
        }])
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("argo.yaml")]);
    }

    /// A batch past the per-file sync threshold takes the per-file-system path: every
    /// file lands with its contents and mode, and no temporary file is left.
    #[test]
    fn large_batches_land_whole_with_their_modes() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PendingFile> = (0..SYNC_PER_FILE_UP_TO * 3)
            .map(|i| PendingFile {
                path: dir.path().join(format!("d{}/f{i}.sh", i % 3)),
                contents: format!("echo {i}\n").into_bytes().into(),
                executable: i % 2 == 0,
            })
            .collect();
        write_all(&files).unwrap();
        let mut count = 0;
        for d in 0..3 {
            for entry in std::fs::read_dir(dir.path().join(format!("d{d}"))).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                assert!(!name.starts_with(".soopervisor-"), "left behind: {name}");
                count += 1;
            }
        }
        assert_eq!(count, files.len());
        for (i, file) in files.iter().enumerate() {
            assert_eq!(
                std::fs::read(&file.path).unwrap(),
                format!("echo {i}\n").as_bytes()
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&file.path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, if i % 2 == 0 { 0o755 } else { 0o644 }, "{i}");
            }
        }
    }

    /// A file that already has the contents and mode is not rewritten (same inode);
    /// one that differs in either is replaced.
    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_left_alone() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PendingFile> = (0..SYNC_PER_FILE_UP_TO * 2)
            .map(|i| PendingFile {
                path: dir.path().join(format!("f{i}")),
                contents: format!("{i}").into_bytes().into(),
                executable: false,
            })
            .collect();
        write_all(&files).unwrap();
        let inode = |i: usize| {
            std::fs::metadata(dir.path().join(format!("f{i}")))
                .unwrap()
                .ino()
        };
        let before: Vec<u64> = (0..files.len()).map(inode).collect();
        let mut again = files.clone();
        again[0].contents = b"changed".as_slice().into();
        again[1].executable = true;
        write_all(&again).unwrap();
        assert_ne!(inode(0), before[0]);
        assert_ne!(inode(1), before[1]);
        for (i, ino) in before.iter().enumerate().skip(2) {
            assert_eq!(inode(i), *ino, "f{i} was rewritten");
        }
        assert_eq!(std::fs::read(dir.path().join("f0")).unwrap(), b"changed");
    }

    /// A failure while staging (here: a folder where a file should go) leaves every
    /// destination as it was and no temporary file behind.
    #[test]
    fn a_failing_batch_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("taken")).unwrap();
        let mut files: Vec<PendingFile> = (0..SYNC_PER_FILE_UP_TO * 2)
            .map(|i| PendingFile {
                path: dir.path().join(format!("f{i}")),
                contents: b"x".as_slice().into(),
                executable: false,
            })
            .collect();
        files.push(PendingFile {
            path: dir.path().join("taken"),
            contents: b"x".as_slice().into(),
            executable: false,
        });
        let err = write_all(&files).unwrap_err();
        assert!(err.to_string().contains("it is a folder"), "{err}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("taken")]);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_to_not_replaced() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        write_all(&[PendingFile {
            path: null.to_path_buf(),
            contents: b"x".as_slice().into(),
            executable: false,
        }])
        .unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(null)
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_keep_pointing_at_the_new_contents() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_all(&[PendingFile {
            path: link.clone(),
            contents: b"new".as_slice().into(),
            executable: false,
        }])
        .unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }
}
