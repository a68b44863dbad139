//! Typed indices into the vectors of [`crate::model::Inputs`], and the
//! number of a unit's building.
//!
//! Each id is the position of the item in its input vector; the external id
//! (the string in the input file) lives on the item itself. A [`BuildingId`]
//! numbers the `building` names of the housing file in order of first
//! appearance (`Unit::building_id`).

use std::fmt;

macro_rules! typed_id {
    ($name:ident, $label:literal) => {
        #[doc = concat!("Index of a ", $label, " in the inputs.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the input vector.
            #[must_use]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}#{}", $label, self.0)
            }
        }
    };
}

typed_id!(HouseholdId, "household");
typed_id!(UnitId, "unit");
typed_id!(DistrictId, "district");
typed_id!(PlaceId, "place");
typed_id!(BuildingId, "building");

/// Converts a vector position into a typed id.
#[must_use]
pub fn to_u32(index: usize) -> u32 {
    u32::try_from(index).expect("more than 4 billion input items")
}
