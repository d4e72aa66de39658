"""The Nova side of the reservation add-on: scheduler filter, lease agent."""
