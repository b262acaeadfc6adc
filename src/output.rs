//! Writing output files so that nothing is ever half-written, and writing through whatever
//! the destination is.
//!
//! [`write_atomic`] looks at the destination first (without following links):
//!
//! * **Missing or a regular file**: the bytes go to a temporary file in the destination's
//!   directory, which is flushed to disk and renamed over the destination. A crash, kill or
//!   full disk at any point leaves either the old file or the new one, never a mixture; the
//!   temporary file is removed on failure (a process killed outright can leave
//!   `.NAME.PID.tmp` behind, never a damaged NAME). The permissions of a file being replaced
//!   are kept.
//! * **A symbolic link** (a chain of them, relative or absolute): followed to its target,
//!   which is replaced as above in *its* directory; the link stays a link. A dangling link is
//!   followed too: its target is created when the target's directory exists.
//! * **Anything else** (a character or block device, a FIFO, a socket): opened for writing
//!   and written directly; renaming a regular file over `/dev/null` would replace the device
//!   node. Opening a FIFO waits for a reader, as any Unix writer does. Nothing is truncated
//!   and no temporary file is made beside it.
//!
//! Every failure is an [`Error::Write`] naming the path (and a link's target).
//!
//! [`lock_for_update`] serialises read-modify-write cycles of one file (`check --update`):
//! an advisory lock (`flock`) on `.NAME.lock` beside the (resolved) file, which the kernel
//! releases when the process ends however it ends. The lock file is left in place: deleting
//! it while another process has it open would let two processes lock two different files.

use std::fs::{File, Metadata};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Symbolic links followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Write `bytes` to `path` atomically (or directly, for a device or FIFO: see the module
/// documentation).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Write to `path` atomically through a callback that fills the file (the temporary file,
/// or the device or FIFO itself).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let dest = Destination::of(path)?;
    let result = match &dest.meta {
        Some(m) if !m.is_file() => write_direct(&dest.path, m, fill),
        _ => replace(&dest.path, dest.meta.as_ref(), fill),
    };
    result.map_err(|source| dest.error(path, source))
}

/// Where a write to a path lands.
struct Destination {
    /// The file to replace or write: the path itself, or a link's resolved target.
    path: PathBuf,
    /// Whether `path` was reached through a symbolic link.
    linked: bool,
    /// The destination's metadata, `None` when it does not exist yet.
    meta: Option<Metadata>,
}

impl Destination {
    /// Follow `path` through any symbolic links to what a write should change; an error
    /// names `path` (and the link's target once it is known).
    fn of(path: &Path) -> Result<Destination> {
        let fail = |target: Option<&Path>, source| Error::Write {
            path: path.to_path_buf(),
            target: target.map(Path::to_path_buf),
            source,
        };
        let (mut target, meta, linked) = resolve(path).map_err(|e| fail(None, e))?;
        let shown = linked.then_some(target.as_path());
        if meta.as_ref().is_some_and(Metadata::is_dir) {
            return Err(fail(
                shown,
                std::io::Error::from(std::io::ErrorKind::IsADirectory),
            ));
        }
        if linked {
            // A clean absolute path for messages; the directory must exist to write into.
            let clean = match (&meta, target.file_name()) {
                (Some(_), _) => std::fs::canonicalize(&target),
                (None, Some(name)) => {
                    std::fs::canonicalize(parent(&target)).map(|dir| dir.join(name))
                }
                (None, None) => Err(std::io::Error::from(std::io::ErrorKind::IsADirectory)),
            };
            target = clean.map_err(|e| fail(shown, e))?;
        }
        Ok(Destination {
            path: target,
            linked,
            meta,
        })
    }

    fn error(&self, path: &Path, source: std::io::Error) -> Error {
        Error::Write {
            path: path.to_path_buf(),
            target: self.linked.then(|| self.path.clone()),
            source,
        }
    }
}

/// Follow symbolic links from `path` by hand, so a dangling one still yields its target.
/// Returns the final path, its metadata (`None`: it does not exist) and whether any link
/// was followed.
fn resolve(path: &Path) -> std::io::Result<(PathBuf, Option<Metadata>, bool)> {
    let mut p = path.to_path_buf();
    for hops in 0..=MAX_LINKS {
        let linked = hops > 0;
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((p, None, linked)),
            Err(e) => return Err(e),
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                // Relative to the link's directory; `join` keeps an absolute target as it is.
                p = match p.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir.join(to),
                    _ => to,
                };
            }
            Ok(m) => return Ok((p, Some(m), linked)),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links (a link loop?)"
    )))
}

/// The directory holding `path` (`.` for a bare name).
fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Replace the regular file `path` (or create it) through a temporary file and a rename.
fn replace(
    path: &Path,
    meta: Option<&Metadata>,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = parent(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        // Keep the permissions of the file being replaced (a report shared with a group stays so).
        if let Some(m) = meta {
            f.set_permissions(m.permissions())?;
        }
        fill(&mut f)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Write into a device, FIFO or socket as it is: no temporary file, no rename, no truncation.
fn write_direct(
    path: &Path,
    meta: &Metadata,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    fill(&mut f)?;
    f.flush()?;
    // A disk written as a block device is synced; fsync on character devices and FIFOs
    // fails with EINVAL and means nothing there.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_block_device() {
            f.sync_all()?;
        }
    }
    let _ = meta;
    Ok(())
}

/// An update lock; the lock is released when it is dropped (or the process ends).
#[derive(Debug)]
pub struct UpdateLock {
    _file: Option<File>,
}

/// Take the update lock of `path` without waiting: [`Error::Locked`] when another process
/// holds it. A device or FIFO is not locked (nothing is read back from it). On a file system
/// without `flock` support the update goes on unlocked.
pub fn lock_for_update(path: &Path) -> Result<UpdateLock> {
    let dest = Destination::of(path)?;
    if dest.meta.as_ref().is_some_and(|m| !m.is_file()) {
        return Ok(UpdateLock { _file: None });
    }
    let lock_path = lock_path(&dest.path);
    let fail = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        target: None,
        source: std::io::Error::new(
            e.kind(),
            format!("cannot lock it with {}: {e}", lock_path.display()),
        ),
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(fail)?;
    match file.try_lock() {
        Ok(()) => Ok(UpdateLock { _file: Some(file) }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
            Ok(UpdateLock { _file: None })
        }
        Err(std::fs::TryLockError::Error(e)) => Err(fail(e)),
    }
}

/// `.NAME.lock` beside `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    parent(path).join(format!(".{name}.lock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_and_leaves_old_file_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.json");
        write_atomic(&p, b"old").unwrap();
        let err = write_atomic_with(&p, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        let msg = err.unwrap_err().to_string();
        assert!(msg.starts_with("cannot write "), "{msg}");
        assert!(msg.contains("report.json: disk full"), "{msg}");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(
            names(dir.path()),
            ["report.json"],
            "temporary file left behind"
        );
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_permissions_of_the_file_it_replaces() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("shared.json");
        std::fs::write(&p, b"old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    /// A chain of relative links, across directories: the final target is replaced in its
    /// own directory, every link stays a link, and no temporary file is left anywhere.
    #[cfg(unix)]
    #[test]
    fn writes_through_a_chain_of_relative_links() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("reports/2026")).unwrap();
        std::fs::write(d.join("reports/2026/12-07.json"), b"old").unwrap();
        symlink("2026/12-07.json", d.join("reports/today.json")).unwrap();
        symlink("reports/today.json", d.join("latest.json")).unwrap();
        write_atomic(&d.join("latest.json"), b"new report").unwrap();
        for link in ["latest.json", "reports/today.json"] {
            let m = std::fs::symlink_metadata(d.join(link)).unwrap();
            assert!(m.file_type().is_symlink(), "{link} replaced by a file");
        }
        assert_eq!(
            std::fs::read(d.join("reports/2026/12-07.json")).unwrap(),
            b"new report"
        );
        assert_eq!(names(d), ["latest.json", "reports"]);
        assert_eq!(names(&d.join("reports")), ["2026", "today.json"]);
        assert_eq!(names(&d.join("reports/2026")), ["12-07.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_creates_its_target_when_the_directory_exists() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("reports")).unwrap();
        symlink("reports/new.json", d.join("latest.json")).unwrap();
        write_atomic(&d.join("latest.json"), b"first").unwrap();
        assert!(std::fs::symlink_metadata(d.join("latest.json"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(d.join("reports/new.json")).unwrap(), b"first");

        // Its directory missing: an error naming the link and where it leads; nothing made.
        symlink("nowhere/x.json", d.join("lost.json")).unwrap();
        let msg = write_atomic(&d.join("lost.json"), b"x")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("lost.json (a link to "), "{msg}");
        assert!(
            msg.contains("nowhere/x.json): No such file or directory"),
            "{msg}"
        );
        assert_eq!(names(d), ["latest.json", "lost.json", "reports"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_or_a_directory_is_an_error_and_stays_as_it_was() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        symlink("loop.json", d.join("loop.json")).unwrap();
        let msg = write_atomic(&d.join("loop.json"), b"x")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("loop.json"), "{msg}");
        assert!(msg.contains("symbolic links (a link loop?)"), "{msg}");
        std::fs::create_dir(d.join("out")).unwrap();
        let msg = write_atomic(&d.join("out"), b"x").unwrap_err().to_string();
        assert!(msg.contains("out: is a directory"), "{msg}");
        assert!(std::fs::symlink_metadata(d.join("loop.json"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(d.join("out").is_dir());
        assert_eq!(names(d), ["loop.json", "out"]);
    }

    /// A FIFO is written in place (a reader gets the bytes), never replaced by a file.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_directly() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo");
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                File::open(&fifo).unwrap().read_to_end(&mut got).unwrap();
                got
            })
        };
        let bytes: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        write_atomic(&fifo, &bytes).unwrap();
        assert_eq!(reader.join().unwrap(), bytes);
        let m = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(m.file_type().is_fifo(), "the FIFO was replaced");
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[test]
    fn a_held_update_lock_refuses_a_second_taker_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("base.json");
        let held = lock_for_update(&p).unwrap();
        assert!(dir.path().join(".base.json.lock").exists());
        let err = lock_for_update(&p).unwrap_err();
        assert!(matches!(err, Error::Locked { .. }), "{err}");
        assert!(err.to_string().contains("base.json; not written"), "{err}");
        drop(held);
        lock_for_update(&p).unwrap();
    }

    /// Two links to one baseline share its lock: the lock sits beside the target.
    #[cfg(unix)]
    #[test]
    fn the_update_lock_of_a_link_is_its_targets() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("store")).unwrap();
        std::fs::write(d.join("store/base.json"), b"{}").unwrap();
        symlink("store/base.json", d.join("a.json")).unwrap();
        let _held = lock_for_update(&d.join("store/base.json")).unwrap();
        assert!(matches!(
            lock_for_update(&d.join("a.json")),
            Err(Error::Locked { .. })
        ));
        assert!(d.join("store/.base.json.lock").exists());
    }
}
