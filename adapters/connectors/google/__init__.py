"""What Gmail and Google Calendar share: Google's error shapes and the people they mention."""
