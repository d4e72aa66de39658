"""The Nova side of the reservation add-on: scheduler filter and lease agent."""
