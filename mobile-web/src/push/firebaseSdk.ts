// The parts of the Firebase web SDK the app uses, gathered in one module so the build makes
// them one lazy chunk (one request, not three). Only fcm.ts imports it, and only dynamically:
// a static import anywhere would put the SDK into the first load.

export { deleteApp, getApps, initializeApp } from "firebase/app";
export { deleteToken, getMessaging, getToken } from "firebase/messaging";
