"""The grievance mechanism."""
