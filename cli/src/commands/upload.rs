//! `soopervisor upload [TARGET]`: deliver the project's code the way the target's code
//! strategy says. `shared-disk`: the selected files (git-tracked plus `include`, minus
//! `exclude` and products) are packed with `tar`, copied to the NFS server pod with
//! `kubectl cp` and unpacked into the project's folder of the volume (products already
//! there are left alone). `package`: a temporary copy is stamped with the export's
//! version, built with `python -m build --sdist` and uploaded with `twine`. `git` and
//! `image` have nothing to upload here and say what to run instead. `--dry-run`
//! prints the commands without running anything.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::{Mapping, Value};

use soopervisor_core::diagnostics::UserError;
use soopervisor_core::output::shell::{join, quote};
use soopervisor_core::plan::{self, Mode, Plan};
use soopervisor_core::strategy::code::SharedDiskCode;
use soopervisor_core::strategy::files;
use soopervisor_core::strategy::package::{stamp_version, PackageCode};
use soopervisor_core::strategy::{Choice, CodeStrategy, StorageStrategy};

use crate::config;
use crate::pipeline::{self, ProjectArgs};

#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// A target section of soopervisor.yaml; without it: the default strategies
    pub target: Option<String>,
    /// Override the target's storage (nfs, fetch)
    #[arg(long)]
    pub storage: Option<String>,
    /// Override the target's code delivery (shared-disk, package, git, image)
    #[arg(long)]
    pub code: Option<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Print the commands instead of running them
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: UploadArgs) -> anyhow::Result<()> {
    let (project, dag) = pipeline::load(&args.project)?;
    let mut section = match &args.target {
        Some(t) => config::section(&config::path(&project.root), t)?,
        None => Mapping::new(),
    };
    for (k, v) in &config::strategy_overrides(args.storage.as_deref(), args.code.as_deref(), None) {
        config::merge_override(&mut section, k, v);
    }
    let plan = plan::build::build(&project, &dag, Mode::Regular, None)?;
    let shown = crate::shown::Shown::new(&args.project)?;
    deliver(
        &plan,
        &section,
        args.target.as_deref(),
        args.dry_run,
        &shown,
    )
}

fn strategy<T>(section: &Mapping, key: &str) -> anyhow::Result<Choice<T>>
where
    T: ?Sized + soopervisor_core::strategy::choice::StrategyObject,
    Box<T>: serde::de::DeserializeOwned + serde::Serialize,
{
    match section.get(Value::String(key.into())) {
        None => Ok(Choice::default()),
        Some(v) => {
            let json = serde_json::to_value(v)?;
            Choice::from_value(json).map_err(|e| UserError::new(e).into())
        }
    }
}

/// The concrete settings of a strategy (its `{kind, ...}` mapping without `kind`).
fn settings<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> anyhow::Result<T> {
    let mut v = v;
    if let Some(m) = v.as_object_mut() {
        m.remove("kind");
    }
    Ok(serde_json::from_value(v)?)
}

/// Delivers the code of `plan` as `section` configures it.
pub fn deliver(
    plan: &Plan,
    section: &Mapping,
    target: Option<&str>,
    dry_run: bool,
    shown: &crate::shown::Shown,
) -> anyhow::Result<()> {
    let code: Choice<dyn CodeStrategy> = strategy(section, "code")?;
    let storage: Choice<dyn StorageStrategy> = strategy(section, "storage")?;
    match code.kind() {
        "shared-disk" => {
            let cfg: SharedDiskCode = settings(code.to_value())?;
            let flat = |k: &str| {
                section
                    .get(Value::String(k.into()))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let Some(disk) = storage.shared_disk(plan) else {
                return Err(UserError::new(format!(
                    "code shared-disk copies the project to the shared disk, but storage {} has none",
                    storage.kind()
                ))
                .with_hint("use --storage nfs, or another code delivery (--code git)")
                .into());
            };
            let sub_path = flat("sub_path").or(disk.sub_path).unwrap_or_default();
            shared_disk(plan, &cfg, &sub_path, dry_run, shown)
        }
        "package" => {
            let cfg: PackageCode = settings(code.to_value())?;
            code.check(plan)?;
            package(plan, &cfg, dry_run)
        }
        "git" => {
            eprintln!("code git: nothing to upload; the pods check out the exported commit, so push it (git push) before submitting.");
            Ok(())
        }
        "image" => {
            let dir = target.unwrap_or("");
            for step in code.next_steps(plan, target, dir) {
                eprintln!("code image: nothing to upload here; build and push the image instead:\n  {step}");
            }
            Ok(())
        }
        other => Err(UserError::new(format!("code {other} has no upload step")).into()),
    }
}

/// A private scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("soopervisor-upload-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir)?;
        Ok(Scratch(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn shared_disk(
    plan: &Plan,
    cfg: &SharedDiskCode,
    sub_path: &str,
    dry_run: bool,
    shown: &crate::shown::Shown,
) -> anyhow::Result<()> {
    let sel = files::select(plan, &cfg.include, &cfg.exclude)?;
    crate::print_warnings(&sel.warnings);
    let root = &plan.project.root;
    let dest = format!("{}/{}", cfg.exports_dir.trim_end_matches('/'), sub_path);
    let remote_tar = "/tmp/soopervisor-upload.tar.gz";
    // what is about to happen, worded as such: success is said only at the end
    let what = format!(
        "{} files ({:.1} MB) from {} to {dest} on the NFS server",
        sel.files.len(),
        sel.total_bytes as f64 / 1_000_000.0,
        shown.path(root)
    );
    if dry_run {
        eprintln!("{what}");
    } else {
        eprintln!("Copying {what} ...");
    }
    let find_pod = [
        "kubectl",
        "get",
        "pods",
        "-l",
        &cfg.nfs_server_selector,
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ];
    let unpack = format!(
        "mkdir -p {d} && tar -xzf {t} -C {d} && rm -f {t}",
        d = quote(&dest),
        t = remote_tar
    );
    if dry_run {
        println!("# the files: git-tracked plus include, minus exclude and products");
        println!("pod=$({})", join(&find_pod));
        println!(
            "tar -czf soopervisor-upload.tar.gz -C {} {}",
            quote(&shown.path(root)),
            join(&sel.files)
        );
        println!("kubectl cp soopervisor-upload.tar.gz \"$pod\":{remote_tar}");
        println!("kubectl exec \"$pod\" -- sh -c {}", quote(&unpack));
        return Ok(());
    }
    let out = run_capture(
        &find_pod,
        "kubectl is needed to copy the project to the NFS server",
    )?;
    let pod = out.trim().to_string();
    if pod.is_empty() {
        return Err(UserError::new(format!(
            "no pod matches the label selector '{}' (the NFS server)",
            cfg.nfs_server_selector
        ))
        .with_hint("check kubectl's context and namespace, or set nfs_server_selector under code")
        .into());
    }
    let dir = Scratch::new()?;
    let list = dir.path().join("files.txt");
    std::fs::write(&list, sel.files.join("\n") + "\n")?;
    let tarball = dir.path().join("soopervisor-upload.tar.gz");
    run_status(
        Command::new("tar")
            .arg("-czf")
            .arg(&tarball)
            .arg("-C")
            .arg(root)
            .arg("-T")
            .arg(&list),
        "tar",
    )?;
    run_status(
        Command::new("kubectl")
            .arg("cp")
            .arg(&tarball)
            .arg(format!("{pod}:{remote_tar}")),
        "kubectl cp",
    )?;
    run_status(
        Command::new("kubectl").args(["exec", &pod, "--", "sh", "-c", &unpack]),
        "kubectl exec",
    )?;
    eprintln!(
        "Copied the project to {pod}:{dest} ({} files)",
        sel.files.len()
    );
    Ok(())
}

fn package(plan: &Plan, cfg: &PackageCode, dry_run: bool) -> anyhow::Result<()> {
    let (name, version) = cfg.name_and_version(plan)?;
    let sel = files::select(plan, &cfg.include, &cfg.exclude)?;
    crate::print_warnings(&sel.warnings);
    let build = ["python", "-m", "build", "--sdist", "--outdir", "dist", "."];
    let upload = [
        "python",
        "-m",
        "twine",
        "upload",
        "--repository-url",
        cfg.upload_url(),
        "dist/*.tar.gz",
    ];
    if dry_run {
        println!("# in a temporary copy of the project ({} files), with the version stamped as {version}:", sel.files.len());
        println!(
            "SETUPTOOLS_SCM_PRETEND_VERSION={} {}",
            quote(&version),
            join(&build)
        );
        println!(
            "{}",
            join(&upload).replace("'dist/*.tar.gz'", "dist/*.tar.gz")
        );
        return Ok(());
    }
    for (module, pkg) in [("build", "build"), ("twine", "twine")] {
        let ok = Command::new("python")
            .args(["-m", module, "--version"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !ok {
            return Err(UserError::new(format!(
                "code package needs the Python '{pkg}' tool (python -m {module}), which is not installed"
            ))
            .with_hint(format!("pip install {pkg}  (or run soopervisor upload --dry-run and build it yourself)"))
            .into());
        }
    }
    let tmp = Scratch::new()?;
    let copy = tmp.path().join(&plan.project.name);
    for f in &sel.files {
        let dest = copy.join(f);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(plan.project.root.join(f), &dest)?;
    }
    let stamped = stamp_version(&copy, &version)?;
    run_status(
        Command::new("python")
            .args(build)
            .current_dir(&copy)
            .env("SETUPTOOLS_SCM_PRETEND_VERSION", &version),
        "python -m build",
    )?;
    let dist = copy.join("dist");
    let built: Vec<PathBuf> = std::fs::read_dir(&dist)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .collect();
    let Some(sdist) = built.iter().find(|p| file_has_version(p, &version)) else {
        return Err(UserError::new(format!(
            "the built distribution does not carry the version {version} (stamped in the build files: {stamped})"
        ))
        .with_hint("give the project a static version in pyproject.toml ([project] version), or set version under code")
        .into());
    };
    run_status(
        Command::new("python")
            .args([
                "-m",
                "twine",
                "upload",
                "--repository-url",
                cfg.upload_url(),
            ])
            .arg(sdist),
        "twine upload",
    )?;
    eprintln!("Uploaded {name} {version}");
    Ok(())
}

fn file_has_version(p: &Path, version: &str) -> bool {
    p.file_name()
        .map(|n| n.to_string_lossy().contains(version))
        .unwrap_or(false)
}

fn run_capture(cmd: &[&str], missing: &str) -> anyhow::Result<String> {
    let out = Command::new(cmd[0]).args(&cmd[1..]).output().map_err(|e| {
        UserError::new(format!("cannot run {}: {e}", cmd[0])).with_hint(missing.to_string())
    })?;
    if !out.status.success() {
        return Err(UserError::new(format!(
            "upload failed: {} exited with {}: {}",
            join(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
        .with_hint(format!(
            "{missing}: check that it reaches the cluster (kubectl config current-context), or print the commands with --dry-run"
        ))
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn run_status(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = cmd
        .status()
        .map_err(|e| UserError::new(format!("cannot run {what}: {e}")))?;
    if !status.success() {
        return Err(UserError::new(format!("upload failed: {what} exited with {status}"))
            .with_hint("nothing was reported as copied; fix the error above and run soopervisor upload again (--dry-run prints the commands)")
            .into());
    }
    Ok(())
}
