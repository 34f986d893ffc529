//! The syntax tree of a KQL query, as the parser (parse.rs) builds it and the compiler
//! (compile.rs) checks it against the fields' types.

/// A query over a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Or(Vec<Query>),
    And(Vec<Query>),
    Not(Box<Query>),
    /// `field: values`.
    Field {
        field: String,
        values: Values,
    },
    /// `field < value` and the other comparisons.
    Range {
        field: String,
        op: RangeOp,
        value: String,
    },
}

/// The values of one field, combined as KQL allows inside `field: ( … )`: each value
/// is a query on the field, so `not` matches documents without the field too.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Or(Vec<Values>),
    And(Vec<Values>),
    Not(Box<Values>),
    Value(Value),
}

/// One value a field is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `*` alone: the field exists (holds any value).
    Exists,
    /// A quoted string, or an unquoted literal without a wildcard.
    Exact(String),
    /// An unquoted literal with at least one wildcard.
    Wildcard(Vec<Part>),
}

/// A piece of an unquoted literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// `*`: any run of characters, the empty one too.
    Wildcard,
}

/// A literal as written, before it is known to be a field or a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Quoted(String),
    Unquoted(Vec<Part>),
}

/// A range comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl RangeOp {
    /// Whether `ordering` (the document's value against the query's) satisfies it.
    pub fn accepts(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            RangeOp::Lt => ordering == Less,
            RangeOp::Lte => ordering != Greater,
            RangeOp::Gt => ordering == Greater,
            RangeOp::Gte => matches!(ordering, Greater | Equal),
        }
    }
}
