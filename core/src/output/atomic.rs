//! Atomic output: every file is written to a temporary file in its destination folder
//! and renamed into place, so readers never see half a file; a batch of files is
//! prepared completely before the first rename.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// One file to write. The contents may be borrowed, so that writing a large export
/// never holds a second copy of it.
#[derive(Debug, Clone)]
pub struct PendingFile<'a> {
    pub path: PathBuf,
    pub contents: Cow<'a, [u8]>,
    pub executable: bool,
}

/// Writes every file atomically. All temporary files are written and synced first;
/// only then are they renamed into place, so a failure while preparing leaves the
/// destination untouched.
pub fn write_all(files: &[PendingFile<'_>]) -> anyhow::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    let mut direct = Vec::new();
    for file in files {
        // A device, FIFO or socket (`--output /dev/null`, `/dev/stdout`) is written to,
        // never replaced: renaming over it would turn the device into a plain file.
        if let Ok(meta) = std::fs::metadata(&file.path) {
            if meta.is_dir() {
                anyhow::bail!("cannot write {}: it is a folder", file.path.display());
            }
            if !meta.is_file() {
                direct.push(file);
                continue;
            }
        }
        // A symlink to a regular file: replace the file it points to, keep the link.
        let path = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".soopervisor-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        tmp.write_all(&file.contents)
            .and_then(|_| tmp.as_file().sync_all())
            .with_context(|| format!("cannot write {}", file.path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if file.executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))?;
        }
        staged.push((tmp, path));
    }
    for file in direct {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&file.path)
            .and_then(|mut f| f.write_all(&file.contents))
            .with_context(|| format!("cannot write {}", file.path.display()))?;
    }
    for (tmp, path) in staged {
        tmp.persist(&path).with_context(|| {
            format!("cannot move the new file into place at {}", path.display())
        })?;
    }
    Ok(())
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
