"""Statistics: figures kept from the table's stream (never by scanning tickets), goals and reports."""
