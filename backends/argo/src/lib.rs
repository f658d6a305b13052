//! soopervisor backend: argo (being written).
