//! What the first payload held of the view a window opened on (in a
//! post's or a profile's own window: `bootstrap`'s `postPage` or
//! `profilePage`), kept at the root until that view takes it, once: it
//! paints in the window's first frame with no further call.

use dioxus::prelude::*;

/// The page a window opened on, of type `T`, until its view takes it.
pub struct Opening<T: 'static>(CopyValue<Option<T>>);

// By hand: derived, they would ask `T` to be `Clone` and `Copy` too.
impl<T: 'static> Clone for Opening<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Opening<T> {}

impl<T: 'static> Opening<T> {
    /// Keeps `page` for its view. A hook, used once at the root.
    pub fn provide(page: Option<T>) {
        use_context_provider(|| Self(CopyValue::new(page)));
    }

    /// The page, when `is_for` says it is the calling view's and it is not
    /// taken yet.
    pub fn take(is_for: impl FnOnce(&T) -> bool) -> Option<T> {
        let opening = try_consume_context::<Self>()?;
        let mut page = opening.0.write_unchecked();
        if is_for(page.as_ref()?) {
            page.take()
        } else {
            None
        }
    }
}
