// Documents an error answer in the OpenAPI document as what it is on the wire:
// application/problem+json with the ProblemDocument shape.
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDocumentDto } from './problem-document.dto';
import { PROBLEM_CONTENT_TYPE } from './problem-document';

export function ProblemResponse(status: number, description: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDocumentDto),
    ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDocumentDto) } } } }),
  );
}
