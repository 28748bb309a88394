// danfojs-node requires "@tensorflow/tfjs-node"; hand it the one tfjs instance the app uses.
module.exports = require("@tensorflow/tfjs");
