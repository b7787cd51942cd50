//! A private temp directory per proxy instance (config, certificates, htpasswd, pid and log
//! files), removed on drop. It is world-writable because squid started as root drops its
//! privileges to the `proxy` user and must still write its logs there.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::HarnessError;

/// A uniquely named directory under the system temp dir, deleted with its contents on drop.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// Creates `$TMPDIR/egress-<label>-<pid>-<n>-<nanos>`.
    pub fn create(label: &str) -> Result<Self, HarnessError> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("egress-{label}-{}-{n}-{nanos}", std::process::id()));
        if path
            .to_str()
            .is_none_or(|s| s.chars().any(|c| c.is_whitespace() || c == '"'))
        {
            return Err(HarnessError::UnsupportedPath(path));
        }
        let io = |action, source| HarnessError::Io {
            action,
            path: path.clone(),
            source,
        };
        fs::create_dir(&path).map_err(|e| io("create the work dir", e))?;
        // The dir lives only as long as one test; world-writable keeps squid's `proxy` user
        // (after it drops root) able to write its logs without chown.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o777))
            .map_err(|e| io("make the work dir writable", e))?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `contents` to `name` inside the directory (readable by every user) and returns
    /// the file's path.
    pub fn write(&self, name: &str, contents: &[u8]) -> Result<PathBuf, HarnessError> {
        let file = self.path.join(name);
        let io = |action, source| HarnessError::Io {
            action,
            path: file.clone(),
            source,
        };
        fs::write(&file, contents).map_err(|e| io("write a config file", e))?;
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644))
            .map_err(|e| io("make a config file readable", e))?;
        Ok(file)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        // Best effort: a leftover dir in /tmp is harmless and must not turn into a panic
        // during unwinding.
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_distinct_writable_dirs_and_removes_them() {
        let a = WorkDir::create("unit").expect("create a");
        let b = WorkDir::create("unit").expect("create b");
        assert_ne!(a.path(), b.path());
        let file = a.write("x.conf", b"hello").expect("write");
        assert_eq!(fs::read(&file).expect("read back"), b"hello");
        let mode = fs::metadata(a.path()).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o777);
        let kept = a.path().to_path_buf();
        drop(a);
        assert!(!kept.exists());
    }
}
