"""localwealth land service: public land and buildings, Assets of Community Value, asset transfer."""
