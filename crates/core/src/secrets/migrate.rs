//! Moving secrets from one store to another, when the user changes where
//! keys are kept: each named secret the new store lacks is copied over,
//! read back, and only then deleted from the old one, so a failure at any
//! step leaves every secret readable in one store or the other.

use super::{SecretError, SecretStore};

/// Moves every secret in `names` that `to` lacks and `from` has; returns
/// how many moved. Secrets `to` already has are left alone in both.
pub fn move_secrets(
    from: &dyn SecretStore,
    to: &dyn SecretStore,
    names: &[String],
) -> Result<usize, SecretError> {
    let mut moved = 0;
    for name in names {
        if to.get(name)?.is_some() {
            continue;
        }
        let Some(secret) = from.get(name)? else {
            continue;
        };
        to.set(name, &secret)?;
        if to.get(name)?.as_deref() != Some(&secret[..]) {
            return Err(SecretError::NotFound { name: name.clone() });
        }
        from.delete(name)?;
        moved += 1;
    }
    Ok(moved)
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
        assert_eq!(move_secrets(&from, &to, &names).expect("moved"), 1);
        assert_eq!(to.get("a").expect("get").as_deref(), Some(&b"1"[..]));
        assert_eq!(from.get("a").expect("get"), None, "deleted once copied");
        assert_eq!(to.get("b").expect("get").as_deref(), Some(&b"kept"[..]));
        assert_eq!(from.get("b").expect("get").as_deref(), Some(&b"2"[..]));
    }
}
