"""The implementation. Nothing here is public: use what ``livenotes`` re-exports."""
