//! Render counts, for the tests that prove a change re-renders only the
//! components that read it: a component calls [`tick`] each time it
//! renders. Outside tests `tick` does nothing and its name is never built.

#[cfg(test)]
thread_local! {
    static COUNTS: std::cell::RefCell<std::collections::HashMap<String, usize>> =
        Default::default();
}

/// Counts one render of the component `name` names (in tests only).
#[inline(always)]
pub fn tick(name: impl FnOnce() -> String) {
    #[cfg(test)]
    COUNTS.with(|counts| *counts.borrow_mut().entry(name()).or_default() += 1);
    #[cfg(not(test))]
    let _ = name;
}

/// The renders counted on this thread since the last call, by name.
#[cfg(test)]
pub fn take() -> std::collections::HashMap<String, usize> {
    COUNTS.with(|counts| std::mem::take(&mut *counts.borrow_mut()))
}
