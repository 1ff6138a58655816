//! A reactive choice among a fixed list of options, held as the option's index.
//!
//! Every value type a signal holds gets its own copy of the signal code in the wasm (reading,
//! tracking, writing: about 1.3 KB each). The studio has many small choices (resolution, aspect,
//! duration, format, safety check, history filter, transport, server); held as an index, they all
//! share the code of one `u8` signal.

use std::marker::PhantomData;

use leptos::prelude::*;

/// A type whose values form a fixed list.
pub trait Options: Copy + PartialEq + 'static {
    /// Every value, in the order the studio offers them (never empty).
    const OPTIONS: &'static [Self];
}

/// The position of `value` in `T::OPTIONS` (the first option for a value not listed, which a
/// test of each list rules out).
fn index_of<T: Options>(value: T) -> u8 {
    let index = T::OPTIONS.iter().position(|o| *o == value).unwrap_or(0);
    u8::try_from(index).unwrap_or(0)
}

/// A signal of one of `T`'s options: a `Copy` handle, read and written like an `RwSignal<T>`.
pub struct Pick<T> {
    index: RwSignal<u8>,
    of: PhantomData<fn() -> T>,
}

impl<T> Clone for Pick<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Pick<T> {}

impl<T: Options> Pick<T> {
    /// A choice starting at `value`.
    pub fn new(value: T) -> Self {
        Pick {
            index: RwSignal::new(index_of(value)),
            of: PhantomData,
        }
    }

    /// The option chosen (tracked).
    pub fn get(&self) -> T {
        Self::at(self.index.get())
    }

    /// The option chosen, untracked.
    pub fn get_untracked(&self) -> T {
        Self::at(self.index.get_untracked())
    }

    /// Chooses `value`.
    pub fn set(&self, value: T) {
        self.index.set(index_of(value));
    }

    /// The index signal and the setter, for a control that works on option positions (a
    /// [`ChoiceGroup`](crate::components::choice_group::ChoiceGroup) listing `T::OPTIONS` in
    /// order).
    pub fn by_index(&self) -> (Signal<usize>, Callback<usize>) {
        bind_index(self.index, T::OPTIONS.len())
    }

    fn at(index: u8) -> T {
        let options = T::OPTIONS;
        options[usize::from(index).min(options.len() - 1)]
    }
}

/// [`Pick::by_index`] without the type: one copy in the wasm for every choice.
fn bind_index(index: RwSignal<u8>, len: usize) -> (Signal<usize>, Callback<usize>) {
    let selected = Signal::derive(move || usize::from(index.get()));
    let select = Callback::new(move |i: usize| {
        if i < len
            && let Ok(i) = u8::try_from(i)
        {
            index.set(i);
        }
    });
    (selected, select)
}

/// Checks that `T::OPTIONS` is a usable list: not empty, at most 256 options, none twice (so
/// that every value has one index and back). For the tests of each list.
#[cfg(test)]
pub fn assert_options<T: Options + std::fmt::Debug>() {
    let options = T::OPTIONS;
    assert!(!options.is_empty() && options.len() <= 256);
    for (i, option) in options.iter().enumerate() {
        assert_eq!(
            usize::from(index_of(*option)),
            i,
            "{option:?} is listed twice"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fruit {
        Apple,
        Pear,
        Plum,
    }

    impl Options for Fruit {
        const OPTIONS: &'static [Fruit] = &[Fruit::Apple, Fruit::Pear, Fruit::Plum];
    }

    #[test]
    fn a_pick_reads_back_what_was_set_and_moves_by_index() {
        let owner = Owner::new();
        owner.with(|| {
            assert_options::<Fruit>();
            let pick = Pick::new(Fruit::Pear);
            assert_eq!(pick.get_untracked(), Fruit::Pear);
            pick.set(Fruit::Plum);
            assert_eq!(pick.get_untracked(), Fruit::Plum);
            let (selected, select) = pick.by_index();
            assert_eq!(selected.get_untracked(), 2);
            select.run(0);
            assert_eq!(pick.get_untracked(), Fruit::Apple);
            // Past the list: ignored.
            select.run(3);
            assert_eq!(pick.get_untracked(), Fruit::Apple);
        });
    }
}
