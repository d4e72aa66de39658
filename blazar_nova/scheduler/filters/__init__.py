"""Nova scheduler host filters of the reservation service."""
