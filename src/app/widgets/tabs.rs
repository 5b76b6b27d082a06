//! A row of tabs (the Discovery screen's utility card, coverage and findings): which tab is
//! current, and how Tab, Shift-Tab and a click on a tab change it.

use crate::app::keymap::Action;

/// The tabs of one row, in the order they are drawn.
pub trait Tab: Copy + Eq + 'static {
    const ALL: &'static [Self];
}

/// Where `tab` is in its row.
pub fn index<T: Tab>(tab: T) -> usize {
    T::ALL.iter().position(|t| *t == tab).unwrap_or(0)
}

/// The tab after `tab`, the first after the last.
pub fn next<T: Tab>(tab: T) -> T {
    T::ALL[(index(tab) + 1) % T::ALL.len()]
}

/// The tab before `tab`, the last before the first.
pub fn prev<T: Tab>(tab: T) -> T {
    T::ALL[(index(tab) + T::ALL.len() - 1) % T::ALL.len()]
}

/// Moves `tab` for the tab-switching actions (Tab, Shift-Tab); false for any other.
pub fn update<T: Tab>(tab: &mut T, action: Action) -> bool {
    match action {
        Action::NextTab => *tab = next(*tab),
        Action::PrevTab => *tab = prev(*tab),
        _ => return false,
    }
    true
}

/// A click on the `n`-th tab of the row.
pub fn click<T: Tab>(tab: &mut T, n: usize) {
    if let Some(t) = T::ALL.get(n) {
        *tab = *t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Abc {
        A,
        B,
        C,
    }

    impl Tab for Abc {
        const ALL: &'static [Self] = &[Abc::A, Abc::B, Abc::C];
    }

    #[test]
    fn tabs_cycle_both_ways_and_take_clicks() {
        let mut t = Abc::A;
        assert!(update(&mut t, Action::PrevTab));
        assert_eq!(t, Abc::C);
        assert!(update(&mut t, Action::NextTab));
        assert_eq!(t, Abc::A);
        assert!(!update(&mut t, Action::Up));
        click(&mut t, 1);
        assert_eq!(t, Abc::B);
        click(&mut t, 7);
        assert_eq!(t, Abc::B);
    }
}
