"""The petitions mechanism."""
