//! Enumerated strings that stay open: WG1-01 §6 and WG1-02 §10 tell clients to ignore unknown
//! enumerated strings, so each enum keeps an `Other` variant instead of failing to parse.

/// Declares an enum of spec strings plus `Other(Box<str>)` (16 bytes rather than 24: a coverage
/// listing holds several per entry, for 100,000 entries; issue 15), serialized as the plain string.
macro_rules! open_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A string this version of the spec does not define (kept, shown, otherwise ignored).
            Other(Box<str>),
        }

        impl $name {
            /// Every value the spec defines, in spec order.
            #[allow(dead_code)]
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s,
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }

            /// The value with `f` applied to the text of an unknown string.
            #[allow(dead_code)]
            pub fn map_other(self, f: impl FnOnce(Box<str>) -> Box<str>) -> Self {
                match self {
                    $name::Other(s) => $name::Other(f(s)),
                    known => known,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.into()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok($name::from(s.as_ref()))
            }
        }
    };
}

pub(crate) use open_enum;
