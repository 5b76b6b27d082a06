//! Values that many coverage entries (CDS-WG1-01 §4.3) repeat, held once per listing: an
//! entity's name, a country, a map's URL, the same lists of commodity types. A utility's
//! listing of 100,000 entries names a handful of entities and maps (issue 15).
//!
//! Fields decode through the functions below. While a [`Pool`] is in use on the thread
//! ([`Pool::scope`], as discovery's reader does for a listing), equal values decode to one
//! shared allocation and a URL already checked is not parsed again; otherwise each value is
//! its own, as plain decoding would make it.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, Visitor};

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

/// The values decoded so far under one [`Pool::scope`], for reuse.
#[derive(Default)]
pub struct Pool {
    text: HashSet<Arc<str>>,
    /// A URL as served, and as the `url` crate writes it.
    urls: HashMap<Arc<str>, Arc<str>>,
    /// One `HashSet<Arc<[T]>>` per list type.
    lists: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Pool({} texts, {} URLs)",
            self.text.len(),
            self.urls.len()
        )
    }
}

impl Pool {
    /// Runs `f` with this pool in use on this thread; it is back here afterwards, with what `f`
    /// decoded, even if `f` panics.
    pub fn scope<R>(&mut self, f: impl FnOnce() -> R) -> R {
        struct Back<'a>(&'a mut Pool);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                *self.0 = POOL.with(|p| p.borrow_mut().take()).unwrap_or_default();
            }
        }
        let pool = std::mem::take(self);
        POOL.with(|p| *p.borrow_mut() = Some(pool));
        let _back = Back(self);
        f()
    }
}

/// `f` on the pool in use, or `None` when there is none.
fn with_pool<R>(f: impl FnOnce(&mut Pool) -> R) -> Option<R> {
    POOL.with(|p| p.borrow_mut().as_mut().map(f))
}

fn shared_text(s: &str) -> Arc<str> {
    with_pool(|pool| match pool.text.get(s) {
        Some(t) => t.clone(),
        None => {
            let t: Arc<str> = Arc::from(s);
            pool.text.insert(t.clone());
            t
        }
    })
    .unwrap_or_else(|| Arc::from(s))
}

/// A string field, shared.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = Arc<str>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Arc<str>, E> {
            Ok(shared_text(s))
        }
    }
    d.deserialize_str(Text)
}

/// An optional string field (absent or `null` is `None`), shared.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Shared(#[serde(deserialize_with = "text")] Arc<str>);
    Ok(Option::<Shared>::deserialize(d)?.map(|s| s.0))
}

/// An absolute URL's text as the `url` crate writes it, shared; checked once per text.
pub fn url_text<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    struct UrlText;
    impl Visitor<'_> for UrlText {
        type Value = Arc<str>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string representing an URL")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Arc<str>, E> {
            if let Some(Some(known)) = with_pool(|pool| pool.urls.get(s).cloned()) {
                return Ok(known);
            }
            // The `url` crate's own decoding, so errors read as they always have.
            let url = url::Url::deserialize(de::value::StrDeserializer::<E>::new(s))?;
            let written = shared_text(url.as_str());
            with_pool(|pool| pool.urls.insert(Arc::from(s), written.clone()));
            Ok(written)
        }
    }
    d.deserialize_str(UrlText)
}

/// A list field, shared with every equal list.
pub fn list<'de, D, T>(d: D) -> Result<Arc<[T]>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Hash + Eq + Clone + Send + Sync + 'static,
{
    let items = Vec::<T>::deserialize(d)?;
    let shared = with_pool(|pool| {
        let set = pool
            .lists
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(HashSet::<Arc<[T]>>::new()))
            .downcast_mut::<HashSet<Arc<[T]>>>()?;
        if let Some(l) = set.get(items.as_slice()) {
            return Some(l.clone());
        }
        let l = Arc::<[T]>::from(items.as_slice());
        set.insert(l.clone());
        Some(l)
    });
    Ok(match shared.flatten() {
        Some(l) => l,
        None => Arc::from(items),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(deserialize_with = "text")]
        name: Arc<str>,
        #[serde(deserialize_with = "url_text")]
        map: Arc<str>,
        #[serde(deserialize_with = "list")]
        kinds: Arc<[String]>,
    }

    const ROW: &str = r#"{"name": "DG&E", "map": "HTTPS://U.example/m", "kinds": ["a", "b"]}"#;

    #[test]
    fn equal_values_share_one_allocation_in_a_scope_only() {
        let mut pool = Pool::default();
        let (a, b): (Row, Row) = pool.scope(|| {
            (
                serde_json::from_str(ROW).unwrap(),
                serde_json::from_str(ROW).unwrap(),
            )
        });
        assert!(Arc::ptr_eq(&a.name, &b.name));
        assert!(Arc::ptr_eq(&a.map, &b.map));
        assert!(Arc::ptr_eq(&a.kinds, &b.kinds));
        assert_eq!(&*a.map, "https://u.example/m");
        // The pool came back with what was decoded, and is not in use outside its scope.
        let c: Row = pool.scope(|| serde_json::from_str(ROW).unwrap());
        assert!(Arc::ptr_eq(&a.name, &c.name));
        let d: Row = serde_json::from_str(ROW).unwrap();
        assert!(!Arc::ptr_eq(&a.name, &d.name));
        assert_eq!(a.name, d.name);
    }

    #[test]
    fn a_bad_url_is_refused_in_the_url_crates_words_every_time() {
        let bad = r#"{"name": "x", "map": "not a url", "kinds": []}"#;
        let plain = serde_json::from_str::<Row>(bad).err().unwrap().to_string();
        let mut pool = Pool::default();
        for _ in 0..2 {
            let pooled = pool.scope(|| serde_json::from_str::<Row>(bad).err().unwrap().to_string());
            assert_eq!(pooled, plain);
        }
        assert!(plain.contains("relative URL without a base"), "{plain}");
    }
}
