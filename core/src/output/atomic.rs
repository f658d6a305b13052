//! Atomic output: every file is written to a temporary file in its destination folder
//! and renamed into place, so readers never see half a file; a batch of files is
//! prepared completely before the first rename.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// One file to write.
#[derive(Debug, Clone)]
pub struct PendingFile {
    pub path: PathBuf,
    pub contents: Vec<u8>,
    pub executable: bool,
}

/// Writes every file atomically. All temporary files are written and synced first;
/// only then are they renamed into place, so a failure while preparing leaves the
/// destination untouched.
pub fn write_all(files: &[PendingFile]) -> anyhow::Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let dir = file
            .path
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
        staged.push((tmp, &file.path));
    }
    for (tmp, path) in staged {
        tmp.persist(path).with_context(|| {
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
            contents: b"hello".to_vec(),
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
}
