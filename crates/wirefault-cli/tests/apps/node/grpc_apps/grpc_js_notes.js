// A notes service on @grpc/grpc-js with @grpc/reflection, written the way
// grpc-js's examples do: the .proto loaded at runtime by proto-loader, one
// handler per method. Correct: every failure is a status that names it.
const path = require("path");
const grpc = require("@grpc/grpc-js");
const protoLoader = require("@grpc/proto-loader");
const { ReflectionService } = require("@grpc/reflection");

const PROTO = path.join(__dirname, "../../python/grpc_protos/notes.proto");
const definition = protoLoader.loadSync(PROTO, { keepCase: true, defaults: true });
const proto = grpc.loadPackageDefinition(definition).samples.notes.v1;

const notes = new Map();
let nextId = 1;

function createNote(call, callback) {
  const { title, priority } = call.request;
  if (!title || title.length > 200) {
    return callback({ code: grpc.status.INVALID_ARGUMENT, details: "title must be 1 to 200 characters" });
  }
  if (priority < 0) {
    return callback({ code: grpc.status.INVALID_ARGUMENT, details: "priority must not be negative" });
  }
  const note = { id: String(nextId++), title, priority };
  notes.set(note.id, note);
  callback(null, note);
}

function getNote(call, callback) {
  const note = notes.get(call.request.id);
  if (!note) {
    return callback({ code: grpc.status.NOT_FOUND, details: "no such note" });
  }
  callback(null, note);
}

function watchNotes(call) {
  if (call.request.since < 0) {
    return call.destroy({ code: grpc.status.INVALID_ARGUMENT, details: "since must not be negative" });
  }
  for (const note of [...notes.values()].slice(call.request.since)) {
    call.write(note);
  }
  const timer = setInterval(() => {}, 1000);
  call.on("cancelled", () => clearInterval(timer));
}

const server = new grpc.Server();
server.addService(proto.Notes.service, { createNote, getNote, watchNotes });
new ReflectionService(definition).addToServer(server);
server.bindAsync(`127.0.0.1:${process.argv[2] || 50051}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
});
