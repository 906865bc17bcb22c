// Placeholder until the player work fills it in: passes every request to the network.
self.addEventListener("install", () => self.skipWaiting());
