//! Moving secrets from one store to another, when the user changes where
//! keys are kept: each named secret the new store lacks is copied over,
//! read back, and only then deleted from the old one, so a failure at any
//! step leaves every secret readable in one store or the other. A secret
//! that does not fit (a cache key that does not open the data sealed under
//! its name, as a store restored from another machine answers) is never
//! moved, and the old store keeps what it has.

use super::{SecretError, SecretStore};

/// Moves every secret in `names` that `to` lacks (or has only one that
/// does not fit) and `from` has one that fits; returns how many moved.
/// `fits(name, secret)` says whether a secret is the right one for its
/// name. Secrets `to` already has that fit are left alone in both.
pub fn move_secrets(
    from: &dyn SecretStore,
    to: &dyn SecretStore,
    names: &[String],
    fits: &dyn Fn(&str, &[u8]) -> bool,
) -> Result<usize, SecretError> {
    let mut moved = 0;
    let mut first_error = None;
    // Each name on its own: one that cannot move now does not keep the
    // others where they are.
    for name in names {
        match move_one(from, to, name, fits) {
            Ok(true) => moved += 1,
            Ok(false) => {}
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    match first_error {
        Some(err) => Err(err),
        None => Ok(moved),
    }
}

fn move_one(
    from: &dyn SecretStore,
    to: &dyn SecretStore,
    name: &str,
    fits: &dyn Fn(&str, &[u8]) -> bool,
) -> Result<bool, SecretError> {
    if to.get(name)?.is_some_and(|held| fits(name, &held)) {
        return Ok(false);
    }
    let Some(secret) = from.get(name)? else {
        return Ok(false);
    };
    if !fits(name, &secret) {
        return Ok(false);
    }
    to.set(name, &secret)?;
    if to.get(name)?.as_deref() != Some(&secret[..]) {
        return Err(SecretError::NotFound {
            name: name.to_owned(),
        });
    }
    from.delete(name)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;

    #[test]
    fn moves_what_the_new_store_lacks_and_keeps_what_it_has() {
        let (from, to) = (MemorySecrets::default(), MemorySecrets::default());
        from.set("a", b"1").expect("set");
        from.set("b", b"2").expect("set");
        to.set("b", b"kept").expect("set");
        let names = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(
            move_secrets(&from, &to, &names, &|_, _| true).expect("moved"),
            1
        );
        assert_eq!(to.get("a").expect("get").as_deref(), Some(&b"1"[..]));
        assert_eq!(from.get("a").expect("get"), None, "deleted once copied");
        assert_eq!(to.get("b").expect("get").as_deref(), Some(&b"kept"[..]));
        assert_eq!(from.get("b").expect("get").as_deref(), Some(&b"2"[..]));
    }

    #[test]
    fn a_secret_that_does_not_fit_never_moves_and_stays_in_the_old_store() {
        let (from, to) = (MemorySecrets::default(), MemorySecrets::default());
        from.set("a", b"wrong").expect("set");
        let fits = |_: &str, secret: &[u8]| secret == b"right";
        let names = ["a".to_owned()];
        assert_eq!(move_secrets(&from, &to, &names, &fits).expect("none"), 0);
        assert_eq!(to.get("a").expect("get"), None);
        assert_eq!(from.get("a").expect("get").as_deref(), Some(&b"wrong"[..]));
    }

    #[test]
    fn a_secret_that_fits_replaces_one_that_does_not() {
        let (from, to) = (MemorySecrets::default(), MemorySecrets::default());
        from.set("a", b"right").expect("set");
        to.set("a", b"stray").expect("set");
        let fits = |_: &str, secret: &[u8]| secret == b"right";
        let names = ["a".to_owned()];
        assert_eq!(move_secrets(&from, &to, &names, &fits).expect("moved"), 1);
        assert_eq!(to.get("a").expect("get").as_deref(), Some(&b"right"[..]));
        assert_eq!(from.get("a").expect("get"), None);
    }
}
