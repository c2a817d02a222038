"""A notes service on grpcio with server reflection, written the way
grpc's Python examples (helloworld's greeter_server_with_reflection) write
one. Correct: every request it cannot serve is answered with a status that
names the failure (INVALID_ARGUMENT, NOT_FOUND) and a short message."""

import sys
import time
import uuid
from concurrent import futures

import grpc
from grpc_reflection.v1alpha import reflection

import notes_pb2
import notes_pb2_grpc

MAX_TITLE = 200


class Notes(notes_pb2_grpc.NotesServicer):
    def __init__(self):
        self.notes = {}

    def CreateNote(self, request, context):
        if not request.title or len(request.title) > MAX_TITLE:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"title must be 1 to {MAX_TITLE} characters")
        if request.priority < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "priority must not be negative")
        note = notes_pb2.Note(id=str(uuid.uuid4()), title=request.title,
                              priority=request.priority)
        self.notes[note.id] = note
        return note

    def GetNote(self, request, context):
        note = self.notes.get(request.id)
        if note is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "no such note")
        return note

    def WatchNotes(self, request, context):
        if request.since < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "since must not be negative")
        while context.is_active():
            for note in list(self.notes.values())[request.since:]:
                yield note
            time.sleep(0.2)


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    notes_pb2_grpc.add_NotesServicer_to_server(Notes(), server)
    names = (
        notes_pb2.DESCRIPTOR.services_by_name["Notes"].full_name,
        reflection.SERVICE_NAME,
    )
    reflection.enable_server_reflection(names, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


if __name__ == "__main__":
    serve(sys.argv[1])
